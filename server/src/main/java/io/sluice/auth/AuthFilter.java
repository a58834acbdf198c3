package io.sluice.auth;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.limits.AdmissionFilter;
import io.sluice.http.ApiException;

/**
 * Every API request carries a valid JWT or API key; the principal goes into the request context.
 * Health, metrics and probes never need one; login and register may come without one. With auth
 * switched off, every caller is {@link Principal#LOCAL}.
 */
public final class AuthFilter implements Filter {
    private final boolean enabled;
    private final Authenticator authenticator;

    public AuthFilter(boolean enabled, Authenticator authenticator) {
        this.enabled = enabled;
        this.authenticator = authenticator;
    }

    static boolean isPublic(String path) {
        return path.equals("/api/auth/login") || path.equals("/api/auth/register");
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (AdmissionFilter.isOperational(path)) {
            chain.proceed();
            return;
        }
        if (!enabled) {
            req.context().register(Principal.LOCAL);
            chain.proceed();
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        if (header == null && isPublic(path)) {
            chain.proceed();
            return;
        }
        Principal principal;
        try {
            principal = authenticator.authenticate(header);
        } catch (ApiException e) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            throw e;
        }
        req.context().register(principal);
        chain.proceed();
    }
}
