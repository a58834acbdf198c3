package io.sluice.diag;

import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoints for demonstrating and testing admission control, under /diag (off with
 * {@code diagnostics.enabled: false}): a request that answers after a delay, a server-sent event
 * stream that lasts a given time, and a JSON echo.
 */
public final class DiagnosticsService implements HttpService {
    private static final Logger LOG = LoggerFactory.getLogger(DiagnosticsService.class);
    private static final long MAX_MILLIS = 600_000;

    private final Admission admission;

    public DiagnosticsService(Admission admission) {
        this.admission = admission;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/sleep", this::sleep)
             .get("/stream", this::stream)
             .post("/echo", this::echo);
    }

    /** GET /diag/sleep?ms=N: holds a request permit for N ms. */
    private void sleep(ServerRequest req, ServerResponse res) throws InterruptedException {
        long ms = millis(req, "ms", 1000);
        Thread.sleep(ms);
        Json.send(res, Map.of("slept_ms", ms));
    }

    /** GET /diag/stream?events=N&interval_ms=M: an SSE stream holding a streaming permit. */
    private void stream(ServerRequest req, ServerResponse res) throws InterruptedException {
        long events = millis(req, "events", 10);
        long interval = millis(req, "interval_ms", 100);
        try (Permit permit = admission.acquireStream();
             SseSink sink = res.sink(SseSink.TYPE)) {
            for (long i = 1; i <= events; i++) {
                sink.emit(SseEvent.builder().data("{\"event\":" + i + "}").build());
                Thread.sleep(interval);
            }
            sink.emit(SseEvent.builder().data("[DONE]").build());
        } catch (UncheckedIOException | ServerConnectionException e) {
            LOG.debug("diagnostic stream ended early: client went away ({})", e.getMessage());
        }
    }

    /** POST /diag/echo: parses a JSON object (with the server's limits) and returns it. */
    private void echo(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        Json.send(res, Map.of("echo", body));
    }

    private static long millis(ServerRequest req, String name, long def) {
        String v = req.query().first(name).orElse(null);
        if (v == null) {
            return def;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > MAX_MILLIS) {
                throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be between 0 and " + MAX_MILLIS);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be an integer, got '" + v + "'");
        }
    }
}
