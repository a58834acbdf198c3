package io.sluice.limits;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(4);
    /** How long a plain request holds the other request permit: long enough that two timeouts stand out, short
     *  enough that the chat still gets that permit well within its one timeout on a slow machine. */
    private static final long SLEEPER_MS = 2500;
    private static TestServer server;
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "admission.max-concurrent-requests", "2",
                "admission.max-concurrent-streaming", "1",
                "admission.queue-timeout", QUEUE_TIMEOUT.toMillis() + "ms",
                "admission.retry-after", "1s"));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void streamRefusedForLackOfStreamingPermitWithinOneQueueTimeout() throws Exception {
        // One endless stream holds the only streaming permit (and a request permit) until this test
        // closes its socket: no race with a stream that ends on its own on a slow machine.
        try (Socket stream = new Socket("127.0.0.1", server.port())) {
            OutputStream out = stream.getOutputStream();
            out.write("GET /diag/stream?events=100000&interval_ms=20 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = stream.getInputStream();
            byte[] buf = new byte[512];
            int n = in.read(buf);
            assertTrue(n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"), "the stream started");
            await("stream holds its permit", Duration.ofSeconds(30), () -> server.health().get("concurrent_streaming").asInt() == 1);

            // A plain request holds the other request permit for SLEEPER_MS from (no earlier than) sleeperSent.
            long sleeperSent = System.nanoTime();
            Future<HttpResponse<String>> sleeper = pool.submit(() -> server.get("/diag/sleep?ms=" + SLEEPER_MS));
            await("requests saturated", Duration.ofSeconds(30), () -> server.health().get("concurrent_requests").asInt() == 2);

            // A chat stream waits for the sleeper's request permit, then for the streaming permit only what is
            // left of its one queue timeout. The old behaviour (a second full timeout for the streaming permit)
            // answers no earlier than the sleeper's release plus a whole timeout, i.e. after
            // sleeperSent + SLEEPER_MS + QUEUE_TIMEOUT; the right one at start + QUEUE_TIMEOUT, about 2.5 s before
            // that, which leaves room for a loaded CI machine without letting the old behaviour pass.
            long start = System.nanoTime();
            HttpResponse<String> rejected = server.postJson("/v1/chat/completions",
                    "{\"model\":\"sluice-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            long answered = System.nanoTime();
            long waitedMs = (answered - start) / 1_000_000;
            long oldBehaviourEarliestMs = (sleeperSent - start) / 1_000_000 + SLEEPER_MS + QUEUE_TIMEOUT.toMillis();

            assertEquals(503, rejected.statusCode(), rejected.body());
            JsonNode error = json(rejected);
            assertEquals("overloaded", error.at("/error/code").asText(), rejected.body());
            assertTrue(error.at("/error/message").asText().contains("streaming"), "refused for the streaming permit: " + rejected.body());
            assertTrue(rejected.headers().firstValue("Retry-After").isPresent());
            assertTrue(waitedMs < oldBehaviourEarliestMs,
                       "one queue timeout, not two: the 503 came after " + waitedMs + " ms; two timeouts take at least "
                       + oldBehaviourEarliestMs + " ms");

            assertEquals(200, sleeper.get().statusCode());
            assertEquals(1, server.health().get("concurrent_streaming").asInt(), "the stream held its permit throughout");
        }
        await("all permits returned", Duration.ofSeconds(10), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0;
        });
    }
}
