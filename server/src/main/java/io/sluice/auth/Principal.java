package io.sluice.auth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.webserver.http.ServerRequest;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * Who is calling: a user id and role, and how they proved it (a JWT with its id and expiry, or an
 * API key with its id). Put in the request context by {@link AuthFilter}. {@code clientKey} is the
 * rate-limit identity: the API key when one was used, otherwise the user. {@code scope} is the API
 * key's {@link KeyScope} (cached with the principal), null for a JWT or no key.
 */
public record Principal(String userId, String username, Role role, String keyId, String tokenId, Instant expiresAt,
                        String clientKey, KeyScope scope) {

    /**
     * The rate-limit identity ({@link #clientKey}) is built once here: a principal cached for an API
     * key is the same object on every request, so its bucket key is one String whose hash is cached.
     */
    public Principal(String userId, String username, Role role, String keyId, String tokenId, Instant expiresAt) {
        this(userId, username, role, keyId, tokenId, expiresAt, keyId != null ? "client:key:" + keyId : "client:user:" + userId, null);
    }

    /** An API key's caller, with the key's scope. */
    Principal(String userId, String username, Role role, String keyId, KeyScope scope) {
        this(userId, username, role, keyId, null, null, "client:key:" + keyId, scope);
    }

    public enum Role {
        ADMIN, USER;

        public String db() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Role of(String s) {
            return "admin".equals(s) ? ADMIN : USER;
        }
    }

    /** The caller when auth is switched off (local development): one admin owning everything it creates. */
    public static final Principal LOCAL = new Principal("local", "local", Role.ADMIN, null, null, null);

    /** The authenticated caller; 401 if the request never passed authentication (a wiring mistake, not a guess). */
    public static Principal of(ServerRequest req) {
        return req.context().get(Principal.class)
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "authentication required"));
    }

    /** The caller if it is an admin now (the role is the user's current one, not the token's); else 403. */
    public static Principal admin(ServerRequest req, String what) {
        Principal p = of(req);
        if (!p.admin()) {
            throw new ApiException(ErrorCode.ADMIN_REQUIRED, what + " is for admins only");
        }
        return p;
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }

    /** True when this caller may see a resource owned by {@code owner}: its owner, or an admin. */
    public boolean owns(String owner) {
        return admin() || userId.equals(owner);
    }

    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", userId);
        m.put("username", username);
        m.put("role", role.db());
        return m;
    }
}
