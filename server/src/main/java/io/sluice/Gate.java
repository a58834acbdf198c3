package io.sluice;

import java.util.List;

import io.helidon.http.Header;
import io.helidon.webserver.http.HttpRouting;
import io.sluice.auth.AdminBootstrap;
import io.sluice.auth.AuthFilter;
import io.sluice.auth.AuthService;
import io.sluice.auth.AuthSettings;
import io.sluice.auth.BudgetEditor;
import io.sluice.auth.Credentials;
import io.sluice.auth.KeysService;
import io.sluice.auth.Passwords;
import io.sluice.auth.UserStore;
import io.sluice.auth.UsersService;
import io.sluice.http.ClientAddress;
import io.sluice.infra.Database;
import io.sluice.infra.Invalidations;
import io.sluice.infra.Redis;
import io.sluice.observe.ServerMeters;
import io.sluice.ratelimit.RateLimitSettings;
import io.sluice.ratelimit.RateLimiter;
import io.sluice.ratelimit.RequestLimits;
import io.sluice.security.CorsFilter;
import io.sluice.security.SecurityHeadersFilter;
import io.sluice.security.SecuritySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request passes between the access log and admission — security headers, CORS, the
 * per-IP limit, authentication, the per-client limit — and the /api/auth and /api/keys services.
 * Close it on shutdown (it gives leased rate-limit tokens back).
 */
final class Gate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    private final SecuritySettings security;
    private final Credentials credentials;
    private final AuthFilter authFilter;
    private final AuthService authService;
    private final KeysService keysService;
    private final UsersService usersService;
    private final RateLimiter limiter;
    private final ClientAddress clients;

    Gate(AuthSettings auth, RateLimitSettings limits, SecuritySettings security, Database db, Redis redis,
         Invalidations invalidations, ServerMeters meters, java.util.function.Predicate<String> anonymousPaths,
         BudgetEditor budgets) {
        this.security = security;
        this.clients = new ClientAddress(security.trustedProxies());
        UserStore users = new UserStore(db);
        Passwords passwords = new Passwords(auth.passwordMinLength());
        if (auth.enabled()) {
            AdminBootstrap.ensureAdmin(users, passwords, auth);
        }
        this.credentials = new Credentials(auth, db, redis, invalidations);
        credentials.registerMeters(meters);
        this.limiter = new RateLimiter(redis, limits, meters);
        RequestLimits requestLimits = limits.enabled() ? RequestLimits.of(limiter, limits, meters) : RequestLimits.off();
        this.authFilter = new AuthFilter(auth.enabled(), credentials.authenticator(), requestLimits, clients, anonymousPaths,
                                         limiter);   // the limiter also serves keys' own rpm (ratelimit.enabled or not)
        this.authService = new AuthService(users, passwords, credentials.jwt(), credentials.revocations(), limiter, auth, clients);
        this.keysService = new KeysService(credentials.keys(), credentials.store(), budgets);
        this.usersService = new UsersService(users, credentials, budgets);
    }

    /** Who the caller is by address (the TCP peer, or X-Forwarded-For from a trusted proxy). */
    ClientAddress clients() {
        return clients;
    }

    static void warnAboutAuth(AuthSettings s) {
        if (!s.enabled()) {
            LOG.warn("AUTH IS OFF (auth.enabled: false): every caller is an admin and sees everything. "
                     + "Use this only on a machine nobody else can reach.");
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
        // away without ever holding one of the admission permits that honest callers queue for. One
        // filter takes the per-IP bucket, authenticates and takes the per-client bucket: one Redis
        // round trip for a credential known in memory, the per-IP bucket before any database lookup
        // or Argon2 hash otherwise (AuthFilter explains the order).
        r.addFilter(authFilter);
    }

    /** The security headers, for the liveness probe that answers before the filters above. */
    List<Header> probeHeaders() {
        return security.headers() ? new SecurityHeadersFilter(security.contentSecurityPolicy()).headers() : List.of();
    }

    void services(HttpRouting.Builder r) {
        r.register("/api/auth", authService)
         .register("/api/keys", keysService)
         .register("/api/users", usersService);
    }

    @Override
    public void close() {
        limiter.close();   // gives unspent leased tokens back while Redis is still open
    }
}
