package io.sluice.observe;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Answers {@code GET /observe/health/live} while every liveness check is up, with the bytes
 * Helidon's health observer would write, built once: a probe that runs every few seconds on every
 * instance should not pay for routing, a JSON tree and a chunked body. A check that is down (or
 * any other request) goes on to the observer, which answers with the details and a 503.
 *
 * <p>It is the first filter: a probe pays for no request id, access-log line, request timer, auth
 * check or Helidon metrics filter (measured: 0.67-0.75x of a bare Helidon hello behind them). It
 * writes the security headers itself ({@code headers}, built once). While the access log is at
 * DEBUG (the level probe lines are logged at) the probe takes the full path, so its line appears.
 */
public final class LivenessFilter implements Filter {
    public static final String PATH = "/observe/health/live";

    // The observer's four Cache-Control values, as one line (Helidon writes its constant as four).
    private static final Header NO_CACHE = HeaderValues.create(HeaderNames.CACHE_CONTROL, true, false,
                                                               "no-cache, no-store, must-revalidate, no-transform");

    private final List<HealthCheck> checks;
    private final byte[] up;
    private final Header[] headers;

    public LivenessFilter(List<HealthCheck> checks, List<Header> headers) {
        this.checks = List.copyOf(checks);
        this.headers = headers.toArray(Header[]::new);
        StringBuilder json = new StringBuilder("{\"status\":\"UP\",\"checks\":[");
        for (int i = 0; i < this.checks.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(this.checks.get(i).name()).append("\",\"status\":\"UP\"}");
        }
        this.up = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (req.prologue().method() != Method.GET || !req.path().path().equals(PATH)
            || AccessLogFilter.probesLogged() || !allUp()) {
            chain.proceed();
            return;
        }
        for (Header h : headers) {
            res.header(h);
        }
        res.header(NO_CACHE);   // as the observer: a probe's answer is never cached
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(up);
    }

    private boolean allUp() {
        for (HealthCheck check : checks) {
            if (check.call().status() != HealthCheckResponse.Status.UP) {
                return false;
            }
        }
        return true;
    }
}
