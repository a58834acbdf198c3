package io.sluice.limits;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two semaphores, on a real server: limits hold, the extra caller gets a fast 503, permits come back. */
class AdmissionTest {
    private static final int LIMIT = 3;
    private static final int STREAMS = 2;
    private static TestServer server;
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "admission.max-concurrent-requests", String.valueOf(LIMIT),
                "admission.max-concurrent-streaming", String.valueOf(STREAMS),
                "admission.queue-timeout", "500ms",
                "admission.retry-after", "1s"));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @AfterEach
    void allPermitsFree() {
        await("all permits returned", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0;
        });
    }

    @Test
    void extraRequestWaitsQueueTimeoutThenGets503WhileProbesStillAnswer() throws Exception {
        List<Future<HttpResponse<String>>> slow = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            // 5 s: the checks below need the limit still full, with room for a loaded CI machine.
            slow.add(pool.submit(() -> server.get("/diag/sleep?ms=5000")));
        }
        await("limit saturated", Duration.ofSeconds(5), () -> server.health().get("concurrent_requests").asInt() == LIMIT);
        // The in-flight gauges are read first, while the slow requests surely hold the limit (on a loaded
        // machine the checks after the rejection below can outlast them).
        String prometheus = server.get("/observe/metrics").body();
        assertTrue(prometheus.contains("sluice_admission_in_flight{limit=\"requests\""), prometheus);
        assertTrue(prometheus.matches("(?s).*sluice_admission_in_flight\\{limit=\"requests\"[^}]*} 3\\.0.*"));
        assertEquals(LIMIT, json(server.get("/metrics")).at("/concurrency/current_concurrent_requests").asInt());

        long start = System.nanoTime();
        HttpResponse<String> rejected = server.get("/diag/sleep?ms=1");
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, rejected.statusCode());
        assertEquals("1", rejected.headers().firstValue("Retry-After").orElse(""));
        assertEquals("overloaded", json(rejected).at("/error/code").asText());
        assertTrue(waitedMs >= 450 && waitedMs < 2000, "waited about the queue timeout, not more: " + waitedMs + " ms");

        // Operators and orchestrators are never gated.
        assertEquals(200, server.get("/observe/health/live").statusCode());
        assertEquals(200, server.get("/observe/health/ready").statusCode());
        assertEquals(200, server.get("/health").statusCode());
        assertTrue(json(server.get("/metrics")).at("/concurrency/rejected_requests").asInt() >= 1);

        for (Future<HttpResponse<String>> f : slow) {
            assertEquals(200, f.get().statusCode());
        }
        await("permits free after the slow requests", Duration.ofSeconds(5),
              () -> server.health().get("concurrent_requests").asInt() == 0);
        // The full limit is usable again.
        List<Future<HttpResponse<String>>> again = new ArrayList<>();
        for (int i = 0; i < LIMIT; i++) {
            again.add(pool.submit(() -> server.get("/diag/sleep?ms=200")));
        }
        for (Future<HttpResponse<String>> f : again) {
            assertEquals(200, f.get().statusCode());
        }
    }

    @Test
    void extraStreamGets503AndStreamsReleaseOnCompletion() throws Exception {
        List<Future<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            streams.add(pool.submit(() -> server.get("/diag/stream?events=40&interval_ms=50")));
        }
        await("streams saturated", Duration.ofSeconds(5), () -> server.health().get("concurrent_streaming").asInt() == STREAMS);

        HttpResponse<String> rejected = server.get("/diag/stream?events=1");
        assertEquals(503, rejected.statusCode());
        assertTrue(rejected.headers().firstValue("Retry-After").isPresent());
        assertTrue(json(rejected).at("/error/message").asText().contains("streaming"));

        for (Future<HttpResponse<String>> f : streams) {
            HttpResponse<String> r = f.get();
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("data:[DONE]") || r.body().contains("data: [DONE]"), r.body());
        }
    }

    @Test
    void clientThatDisconnectsMidStreamReturnsItsPermits() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /diag/stream?events=100000&interval_ms=20 HTTP/1.1\r\nHost: x\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[512];
            int n = in.read(buf);
            assertTrue(new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"));
            await("stream holds its permit", Duration.ofSeconds(5), () -> server.health().get("concurrent_streaming").asInt() == 1);
        }
        // Socket closed mid-stream: the next write fails and both permits come back.
        await("permits returned after disconnect", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_streaming").asInt() == 0 && h.get("concurrent_requests").asInt() == 0;
        });
    }

    @Test
    void requestsFromManyClientsNeverExceedTheLimit() throws Exception {
        List<Future<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            burst.add(pool.submit(() -> server.get("/diag/sleep?ms=300")));
        }
        int maxSeen = 0;
        for (int i = 0; i < 20; i++) {
            maxSeen = Math.max(maxSeen, server.health().get("concurrent_requests").asInt());
            Thread.sleep(20);
        }
        int ok = 0;
        int busy = 0;
        for (Future<HttpResponse<String>> f : burst) {
            int status = f.get().statusCode();
            if (status == 200) {
                ok++;
            } else if (status == 503) {
                busy++;
            }
        }
        assertTrue(maxSeen <= LIMIT, "in flight never above the limit: " + maxSeen);
        assertEquals(20, ok + busy, "every request answered 200 or 503");
        assertTrue(ok >= LIMIT, "at least the limit's worth succeeded: " + ok);
    }
}
