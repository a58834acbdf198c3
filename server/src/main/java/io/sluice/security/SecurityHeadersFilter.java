package io.sluice.security;

import java.util.List;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Headers every response carries: no MIME sniffing, no framing, no referrer, no caching of API
 * answers (they hold private data), and a Content-Security-Policy that allows nothing — Sluice
 * serves JSON and event streams, never pages. Set before the handler runs, so errors carry them too.
 * The headers are built once (cached values), not per request.
 */
public final class SecurityHeadersFilter implements Filter {
    private static final Header NOSNIFF = HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF;
    private static final Header FRAME_DENY = HeaderValues.createCached("X-Frame-Options", "DENY");
    private static final Header NO_REFERRER = HeaderValues.createCached("Referrer-Policy", "no-referrer");
    private static final Header NO_STORE = HeaderValues.createCached(HeaderNames.CACHE_CONTROL, "no-store");

    private final Header csp;

    public SecurityHeadersFilter(String csp) {
        this.csp = HeaderValues.createCached("Content-Security-Policy", csp);
    }

    /** The headers this filter sets, for a filter that answers before it (the liveness probe). */
    public List<Header> headers() {
        return List.of(NOSNIFF, FRAME_DENY, NO_REFERRER, csp, NO_STORE);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        res.header(NOSNIFF);
        res.header(FRAME_DENY);
        res.header(NO_REFERRER);
        res.header(csp);
        res.header(NO_STORE);
        chain.proceed();
    }
}
