package io.sluice;

import java.time.Clock;

import io.helidon.webserver.http.HttpRouting;
import io.sluice.auth.AdminBootstrap;
import io.sluice.auth.ApiKeyStore;
import io.sluice.auth.ApiKeys;
import io.sluice.auth.AuthFilter;
import io.sluice.auth.AuthService;
import io.sluice.auth.AuthSettings;
import io.sluice.auth.Authenticator;
import io.sluice.auth.Jwt;
import io.sluice.auth.KeysService;
import io.sluice.auth.Passwords;
import io.sluice.auth.Principal;
import io.sluice.auth.Revocations;
import io.sluice.auth.UserStore;
import io.sluice.infra.Database;
import io.sluice.infra.Redis;
import io.sluice.observe.ServerMeters;
import io.sluice.ratelimit.RateLimitFilter;
import io.sluice.ratelimit.RateLimitSettings;
import io.sluice.ratelimit.RateLimiter;
import io.sluice.security.CorsFilter;
import io.sluice.security.SecurityHeadersFilter;
import io.sluice.security.SecuritySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request passes between the access log and admission — security headers, CORS, the
 * per-IP limit, authentication, the per-client limit — and the /api/auth and /api/keys services.
 */
final class Gate {
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    private final AuthSettings auth;
    private final RateLimitSettings limits;
    private final SecuritySettings security;
    private final ServerMeters meters;
    private final RateLimiter limiter;
    private final AuthFilter authFilter;
    private final AuthService authService;
    private final KeysService keysService;

    Gate(AuthSettings auth, RateLimitSettings limits, SecuritySettings security, Database db, Redis redis, ServerMeters meters) {
        this.auth = auth;
        this.limits = limits;
        this.security = security;
        this.meters = meters;
        UserStore users = new UserStore(db);
        Passwords passwords = new Passwords(auth.passwordMinLength());
        if (auth.enabled()) {
            AdminBootstrap.ensureAdmin(users, passwords, auth);
        }
        ApiKeyStore keyStore = new ApiKeyStore(db);
        ApiKeys apiKeys = new ApiKeys(keyStore);
        Jwt jwt = new Jwt(auth.jwtSecret(), auth.tokenTtl(), Clock.systemUTC());
        Revocations revocations = new Revocations(redis, Clock.systemUTC());
        this.limiter = new RateLimiter(redis, limits, meters);
        this.authFilter = new AuthFilter(auth.enabled(), new Authenticator(jwt, revocations, apiKeys));
        this.authService = new AuthService(users, passwords, jwt, revocations, limiter, auth);
        this.keysService = new KeysService(apiKeys, keyStore);
    }

    static void warnAboutAuth(AuthSettings s) {
        if (!s.enabled()) {
            LOG.warn("AUTH IS OFF (auth.enabled: false): every caller is an admin and sees everything. "
                     + "Use this only on a machine nobody else can reach.");
        } else if (s.jwtSecret().equals(AuthSettings.DEVELOPMENT_SECRET)) {
            LOG.warn("auth.jwt-secret is the development default; set AUTH_JWT_dash_SECRET (production mode refuses it)");
        }
    }

    /** Adds the filters; call after the access-log filter and before the admission filter. */
    void filters(HttpRouting.Builder r) {
        if (security.headers()) {
            r.addFilter(new SecurityHeadersFilter(security.contentSecurityPolicy()));
        }
        if (security.corsEnabled()) {
            r.addFilter(new CorsFilter(security.corsOrigins(), security.corsMaxAge().toSeconds()));
        }
        // Rate limits and auth come before admission: an abusive or unauthenticated client is turned
        // away without ever holding one of the admission permits that honest callers queue for. The
        // per-IP bucket comes first, so a flood of guessed keys or passwords costs a Redis call, not
        // a database lookup or an Argon2 hash.
        if (limits.enabled()) {
            r.addFilter(new RateLimitFilter("ip", limiter, limits.perIp(), req -> req.remotePeer().host(), meters));
        }
        r.addFilter(authFilter);
        if (limits.enabled()) {
            r.addFilter(new RateLimitFilter("client", limiter, limits.perClient(), req -> req.context().get(Principal.class)
                    .filter(p -> p != Principal.LOCAL).map(Principal::clientKey).orElse(null), meters));
        }
    }

    void services(HttpRouting.Builder r) {
        r.register("/api/auth", authService)
         .register("/api/keys", keysService);
    }
}
