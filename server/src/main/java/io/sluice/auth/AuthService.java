package io.sluice.auth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.ClientAddress;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.ratelimit.RateLimiter;

/**
 * {@code /api/auth}: register (open when auth.registration is on, otherwise admins only), login
 * (JWT; its own stricter limits, see {@link LoginThrottle}), logout (revokes the token until it
 * expires, in Redis) and verify.
 */
public final class AuthService implements HttpService {
    private static final int MAX_FIELD = 1024;   // far above any valid username or password; bounds the hashing work
    private final UserStore users;
    private final Passwords passwords;
    private final Jwt jwt;
    private final Revocations revocations;
    private final AuthSettings settings;
    private final LoginThrottle throttle;
    private final ClientAddress clients;

    public AuthService(UserStore users, Passwords passwords, Jwt jwt, Revocations revocations, RateLimiter limiter,
                       AuthSettings settings, ClientAddress clients) {
        this.clients = clients;
        this.users = users;
        this.passwords = passwords;
        this.jwt = jwt;
        this.revocations = revocations;
        this.settings = settings;
        this.throttle = new LoginThrottle(limiter, settings);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/register", this::register)
             .post("/login", this::login)
             .post("/logout", this::logout)
             .get("/verify", this::verify);
    }

    private void register(ServerRequest req, ServerResponse res) {
        Principal caller = req.context().get(Principal.class).orElse(null);
        boolean admin = caller != null && caller.admin();
        if (!settings.registration() && !admin) {
            throw new ApiException(ErrorCode.REGISTRATION_DISABLED, "registration is disabled; ask an admin to create your account");
        }
        JsonNode body = Json.readObject(req);
        String username = Usernames.normalize(Fields.requiredText(body, "username", MAX_FIELD));
        if (!Usernames.valid(username)) {
            throw ApiException.badRequest(ErrorCode.INVALID_USERNAME, "username: " + Usernames.RULE);
        }
        String password = Fields.requiredText(body, "password", MAX_FIELD);
        passwords.requireAcceptable(password, username);
        Principal.Role role = admin && "admin".equals(body.path("role").asText()) ? Principal.Role.ADMIN : Principal.Role.USER;
        UserStore.User user = users.create(username, passwords.hash(password), role)
                .orElseThrow(() -> new ApiException(ErrorCode.USERNAME_TAKEN, "that username is taken"));
        res.status(Status.CREATED_201);
        Json.send(res, user.principal().view());
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        String username = Usernames.normalize(Fields.requiredText(body, "username", MAX_FIELD));
        String password = Fields.requiredText(body, "password", MAX_FIELD);
        throttle.attempt(clients.of(req), username, res);
        UserStore.User user = Usernames.valid(username) ? users.findByUsername(username).orElse(null) : null;
        // A disabled account answers exactly like a wrong password (after the same hashing work).
        if (!passwords.verify(password, user == null ? null : user.passwordHash()) || user.disabled()) {
            throw Authenticator.unauthorized("wrong username or password");
        }
        String token = jwt.issue(user.id().toString(), user.username(), user.role().db());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("token", token);
        json.put("token_type", "Bearer");
        json.put("expires_in", jwt.ttl().toSeconds());
        json.put("user", user.principal().view());
        Json.send(res, json);
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Principal p = Principal.of(req);
        if (p.tokenId() == null) {
            throw ApiException.badRequest(ErrorCode.NOT_A_TOKEN, "logout revokes a login token; revoke API keys with DELETE /api/keys/{id}");
        }
        revocations.revoke(p.tokenId(), p.expiresAt());
        Json.send(res, Map.of("revoked", true));
    }

    private void verify(ServerRequest req, ServerResponse res) {
        Principal p = Principal.of(req);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("valid", true);
        json.put("user", p.view());
        json.put("auth", p.tokenId() != null ? "jwt" : p.keyId() != null ? "api_key" : "none");
        Instant exp = p.expiresAt();
        json.put("expires_at", exp == null ? null : exp.getEpochSecond());
        Json.send(res, json);
    }
}
