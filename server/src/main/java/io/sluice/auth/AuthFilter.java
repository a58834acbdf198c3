package io.sluice.auth;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.limits.AdmissionFilter;
import io.sluice.http.ApiException;
import io.sluice.http.ClientAddress;
import io.sluice.ratelimit.Decision;
import io.sluice.ratelimit.RateLimiter;
import io.sluice.ratelimit.RequestLimits;

/**
 * Every API request carries a valid JWT or API key; the principal goes into the request context.
 * Health, metrics and probes never need one; login and register may come without one. With auth
 * switched off, every caller is {@link Principal#LOCAL}. The per-IP and per-client rate limits are
 * taken here too, because their order relative to authentication is the point:
 *
 * <ul>
 * <li>A credential settled in memory (a cached API key, a valid unrevoked JWT: a hash lookup or an
 *     HMAC, cheaper than a Redis call) is authenticated first, and then both buckets are taken
 *     together: from this instance's leases, with at most one Redis trip when a lease runs out.</li>
 * <li>Anything else — an unknown or wrong key, a bad token, no credentials, a login — takes the
 *     per-IP bucket first, so a flood of guessed keys or passwords costs at most a Redis call, never a
 *     PostgreSQL lookup or an Argon2 hash; only then is it authenticated (the database, a 401), and
 *     the client bucket taken separately. Guesses are never cached, so they always land here.</li>
 * </ul>
 * Either way a request sees the same answers as with two separate checks around authentication.
 */
public final class AuthFilter implements Filter {
    private final boolean enabled;
    private final Authenticator authenticator;
    private final RequestLimits limits;
    private final ClientAddress clients;
    private final java.util.function.Predicate<String> anonymousPaths;   // public file-proxy origins
    private final RateLimiter keyLimiter;   // an API key's own requests-per-minute (its scope's rpm), when it has one

    public AuthFilter(boolean enabled, Authenticator authenticator, RequestLimits limits, ClientAddress clients,
                      java.util.function.Predicate<String> anonymousPaths, RateLimiter keyLimiter) {
        this.keyLimiter = keyLimiter;
        this.clients = clients;
        this.anonymousPaths = anonymousPaths;
        this.enabled = enabled;
        this.authenticator = authenticator;
        this.limits = limits;
    }

    static boolean isPublic(String path) {
        return path.equals("/api/auth/login") || path.equals("/api/auth/register")
               || path.equals("/openapi") || path.equals("/ops") || path.startsWith("/ops/");   // OpsService checks its callers
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (AdmissionFilter.isOperational(path)) {
            chain.proceed();
            return;
        }
        String ip = limits.active() ? clients.of(req) : null;   // formatting the address costs; only limits need it
        if (!enabled) {
            limits.check(ip, null, res);   // the local admin has no bucket of its own
            req.context().register(Principal.LOCAL);
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null && (isPublic(path) || anonymousPaths.test(path))) {
            limits.check(ip, null, res);
            chain.proceed();
            return;
        }
        Principal principal = authenticator.fromMemory(header);
        if (principal != null) {
            limits.check(ip, principal.clientKey(), res);
        } else {
            limits.check(ip, null, res);
            try {
                principal = authenticator.authenticate(header);
            } catch (ApiException e) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                throw e;
            }
            limits.check(null, principal.clientKey(), res);
        }
        KeyScope scope = principal.scope();
        if (scope != null && scope.rpm() != null) {   // a field read for every other key: no trip unless the key has its own rpm
            Decision d = keyLimiter.take(scope.rpmBucket(), scope.rpm());
            d.writeHeaders(res);
            if (!d.allowed()) {
                throw d.rejection("API key (" + scope.rpm().capacity() + "/min)");
            }
        }
        req.context().register(principal);
        chain.proceed();
    }
}
