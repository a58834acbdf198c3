package io.sluice.security;

import java.util.List;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * CORS for browser clients, off by default. Only listed origins ("*" for any) get the
 * Access-Control headers; a preflight (OPTIONS with Access-Control-Request-Method) is answered here,
 * before authentication, since browsers send it without credentials. No cookies are used, so
 * credentials are never allowed.
 */
public final class CorsFilter implements Filter {
    private static final Header VARY_ORIGIN = HeaderValues.createCached(HeaderNames.VARY, "Origin");
    private static final Header EXPOSE = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
            "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset");
    private static final Header ALLOW_METHODS = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS,
            "GET, POST, PUT, DELETE, OPTIONS");
    private static final Header ALLOW_HEADERS = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
            "Authorization, Content-Type, X-Request-Id, session-id");

    private final List<String> origins;
    private final Header maxAge;

    public CorsFilter(List<String> origins, long maxAgeSeconds) {
        this.origins = origins;
        this.maxAge = HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_MAX_AGE, maxAgeSeconds);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || !(origins.contains("*") || origins.contains(origin))) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origins.contains("*") ? "*" : origin);
        res.header(VARY_ORIGIN);
        res.header(EXPOSE);
        boolean preflight = req.prologue().method() == Method.OPTIONS
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        if (!preflight) {
            chain.proceed();
            return;
        }
        res.header(ALLOW_METHODS);
        res.header(ALLOW_HEADERS);
        res.header(maxAge);
        res.status(Status.NO_CONTENT_204).send();
    }
}
