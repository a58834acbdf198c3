package io.sluice.tracing;

import java.util.function.Predicate;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The server span of each API request (HTTP semantic conventions), registered only when tracing is
 * on, just inside the liveness filter: the access-log filter runs within it and finds the trace id
 * in the request context. Probes and scrapes are not traced (every few seconds, nothing to follow).
 */
public final class ServerSpanFilter implements Filter {
    static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

    private final Tracing tracing;
    private final Predicate<String> untraced;

    public ServerSpanFilter(Tracing tracing, Predicate<String> untraced) {
        this.tracing = tracing;
        this.untraced = untraced;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (untraced.test(path)) {
            chain.proceed();
            return;
        }
        String method = req.prologue().method().text();
        try (TraceSpan span = tracing.server(method, req.headers().first(TRACEPARENT).orElse(null),
                                             req.headers().first(TRACESTATE).orElse(null))) {
            req.context().register(new TraceId(tracing.traceId(span)));
            try {
                chain.proceed();
            } finally {
                int status = res.status().code();
                String route = req.matchingPattern().orElse(null);
                if (span.recording()) {
                    span.set("http.request.method", method)
                        .set("url.path", path)
                        .set("url.scheme", "http")
                        .set("http.route", route)
                        .set("http.response.status_code", status)
                        .set("user_agent.original", req.headers().first(HeaderNames.USER_AGENT).orElse(null))
                        .set("network.protocol.version", req.prologue().protocolVersion());
                    if (route != null) {
                        ((OtelSpan) span).span().updateName(method + ' ' + route);
                    }
                    if (status >= 500) {
                        span.error("HTTP " + status);
                    }
                }
            }
        }
    }
}
