package io.sluice.limits;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream that waits for a request permit and then finds no streaming permit is refused within ONE
 * queue timeout, counted from when it began to wait, not after a second full timeout.
 */
class StreamAdmissionTest {
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(3);
    private static TestServer server;
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "admission.max-concurrent-requests", "2",
                "admission.max-concurrent-streaming", "1",
                "admission.queue-timeout", "3s",
                "admission.retry-after", "1s"));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void streamRefusedForLackOfStreamingPermitWithinOneQueueTimeout() throws Exception {
        // One stream holds the only streaming permit (and a request permit) for about 6 s; a plain
        // request holds the other request permit for 1 s. The queue timeout (3 s) leaves room for a
        // loaded CI machine: the old behaviour (two full timeouts) would answer after about 4 s.
        Future<HttpResponse<String>> stream = pool.submit(() -> server.get("/diag/stream?events=120&interval_ms=50"));
        await("stream holds its permit", Duration.ofSeconds(5), () -> server.health().get("concurrent_streaming").asInt() == 1);
        Future<HttpResponse<String>> sleeper = pool.submit(() -> server.get("/diag/sleep?ms=1000"));
        await("requests saturated", Duration.ofSeconds(5), () -> server.health().get("concurrent_requests").asInt() == 2);

        // A chat stream waits ~1 s for a request permit, then for the streaming permit only what is left of 3 s.
        long start = System.nanoTime();
        HttpResponse<String> rejected = server.postJson("/v1/chat/completions",
                "{\"model\":\"sluice-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(503, rejected.statusCode(), rejected.body());
        JsonNode error = json(rejected);
        assertEquals("overloaded", error.at("/error/code").asText(), rejected.body());
        assertTrue(error.at("/error/message").asText().contains("streaming"), "refused for the streaming permit: " + rejected.body());
        assertTrue(rejected.headers().firstValue("Retry-After").isPresent());
        assertTrue(waitedMs < QUEUE_TIMEOUT.toMillis() * 12 / 10,
                   "one queue timeout, not two: the 503 came after " + waitedMs + " ms");

        assertEquals(200, sleeper.get().statusCode());
        assertEquals(200, stream.get().statusCode());
        await("all permits returned", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0;
        });
    }
}
