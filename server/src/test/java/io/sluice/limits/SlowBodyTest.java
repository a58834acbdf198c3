package io.sluice.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * Slow request bodies (a login body dripped a byte at a time) hold no admission permit: as many such
 * sockets as there are permits leave a normal request unaffected, and each is cut within the body deadline.
 */
class SlowBodyTest {
    private static final int PERMITS = 3;
    private static final long BODY_TIMEOUT_MS = 1500;
    private static final String PASSWORD = "Tr0ub4dor&3-horse";
    private static TestServer server;
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "auth.enabled", "true",
                "auth.registration", "true",
                "auth.jwt-secret", "slow-body-test-secret-0123456789abcdef",
                "admission.max-concurrent-requests", String.valueOf(PERMITS),
                "admission.max-concurrent-streaming", "1",
                "admission.queue-timeout", "500ms",
                "admission.body-timeout", BODY_TIMEOUT_MS + "ms",
                "admission.body-min-rate", "0",
                "admission.max-concurrent-per-ip", "100"));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void slowBodiesHoldNoPermitAndAreCutWithinTheBodyDeadline() throws Exception {
        String user = "slow-" + UUID.randomUUID().toString().substring(0, 8);
        String credentials = "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}";
        assertEquals(201, server.postJson("/api/auth/register", credentials).statusCode());

        List<Future<Long>> drips = new ArrayList<>();
        for (int i = 0; i < PERMITS; i++) {
            drips.add(pool.submit(() -> dripLogin(false)));
            drips.add(pool.submit(() -> dripLogin(true)));
        }
        Thread.sleep(400);   // every drip has sent its headers and is mid-body

        assertEquals(0, server.health().get("concurrent_requests").asInt(), "uploading requests hold no permit");
        HttpResponse<String> login = server.postJson("/api/auth/login", credentials);
        assertEquals(200, login.statusCode(), "a normal login is not starved by slow bodies: " + login.body());

        for (Future<Long> drip : drips) {
            long cutAfter = drip.get();
            assertTrue(cutAfter >= BODY_TIMEOUT_MS - 100 && cutAfter < BODY_TIMEOUT_MS + 3_000,   // slack for a busy 2-core CI box
                       "the slow body was cut at the deadline, not before or long after: " + cutAfter + " ms");
        }
        await("all permits idle", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0;
        });
        // The server still works for everyone afterwards.
        assertEquals(200, server.postJson("/api/auth/login", credentials).statusCode());
    }

    @Test
    void aBodySentPromptlyIsUnaffected() {
        HttpResponse<String> r = server.postJson("/api/auth/login", "{\"username\":\"nobody-here\",\"password\":\"wrong-password-1\"}");
        assertEquals(401, r.statusCode(), r.body());
        assertEquals("invalid_api_key", json(r).at("/error/code").asText());
    }

    /** Sends a login body a byte every 200 ms (declared length or chunked); ms until the server cut it off. */
    private static long dripLogin(boolean chunked) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 200\r\n") + "\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                for (int i = 0; i < 100; i++) {
                    out.write((chunked ? "1\r\n{\r\n" : "{").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (in.available() > 0) {
                        break;   // the server answered (408) before closing
                    }
                    Thread.sleep(200);
                }
                while (in.read() >= 0) {
                    // drain the answer (a 408 if the socket could carry it) until the server closes
                }
            } catch (IOException e) {
                // reset or broken pipe: the server closed the connection, which is the point
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
