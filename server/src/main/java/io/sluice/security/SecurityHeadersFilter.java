package io.sluice.security;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Headers every response carries: no MIME sniffing, no framing, no referrer, no caching of API
 * answers (they hold private data), and a Content-Security-Policy that allows nothing — Sluice
 * serves JSON and event streams, never pages. Set before the handler runs, so errors carry them too.
 */
public final class SecurityHeadersFilter implements Filter {
    private final String csp;

    public SecurityHeadersFilter(String csp) {
        this.csp = csp;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.header("X-Content-Type-Options", "nosniff");
        res.header("X-Frame-Options", "DENY");
        res.header("Referrer-Policy", "no-referrer");
        res.header("Content-Security-Policy", csp);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        chain.proceed();
    }
}
