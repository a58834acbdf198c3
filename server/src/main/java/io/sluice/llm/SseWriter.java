package io.sluice.llm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes OpenAI's stream format to the client: {@code data: {...}\n\n} per chunk,
 * {@code data: [DONE]\n\n} at the end, {@code : ping\n\n} comments while waiting. Each event is
 * flushed at once. The response is committed (status 200 and headers) only at the first write,
 * so an upstream that fails fast can still be answered with a proper error status. A failed
 * write means the client left: {@link ClientGoneException}.
 */
public final class SseWriter implements AutoCloseable {
    private boolean done;
    private static final Logger LOG = LoggerFactory.getLogger(SseWriter.class);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROBE = ":\n\n".getBytes(StandardCharsets.US_ASCII);   // an empty comment: clients skip it
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerResponse res;
    private final long pingNanos;
    private final String requestId;
    private OutputStream out;
    private long lastWrite = System.nanoTime();
    private Provider provider;

    public SseWriter(ServerResponse res, Duration pingInterval, String requestId) {
        this.res = res;
        this.pingNanos = pingInterval.toNanos();
        this.requestId = requestId;
    }

    /** The provider now being tried; named in the response headers if the response commits during its attempt. */
    void provider(Provider p) {
        this.provider = p;
    }

    boolean committed() {
        return out != null;
    }

    long nanosUntilPing(long now) {
        return lastWrite + pingNanos - now;
    }

    long nanosUntilProbe(long now, long probeNanos) {
        return lastWrite + probeNanos - now;
    }

    void ping() {
        write(PING);
    }

    /** A few bytes to find out whether the client is still there (see Relay#nextWrite). */
    void probe() {
        write(PROBE);
    }

    void data(String json) {
        write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Marks the stream complete; {@code [DONE]} goes out on {@link #close()}, so whatever the caller
     * stores about the answer (a session's reply) is committed before the client sees the end.
     */
    void done() {
        done = true;
    }

    /** The error event OpenAI's clients understand; the stream ends after it (no [DONE]). */
    void error(int status, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", ErrorCode.typeOf(status));
        error.put("code", code);
        error.put("request_id", requestId);
        data(Json.write(Map.of("error", error)));
    }

    private void write(byte[] bytes) {
        try {
            if (out == null) {
                commit();
            }
            out.write(bytes);
            out.flush();
            lastWrite = System.nanoTime();
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            throw new ClientGoneException(e);
        }
    }

    private void commit() {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");   // nginx: do not buffer the stream
        if (provider != null) {
            ProviderHeaders.add(res, provider);
        }
        out = res.outputStream();
    }

    /** Ends the response (the terminating chunk); harmless when the client is gone. */
    @Override
    public void close() {
        if (done) {
            try {
                write(DONE);
            } catch (ClientGoneException e) {
                LOG.debug("client left before [DONE]");
            }
        }
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing stream: client gone ({})", e.toString());
        }
    }
}
