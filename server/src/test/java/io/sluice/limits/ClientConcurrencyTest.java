package io.sluice.limits;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
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

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One credential (or, without one, one IP) cannot hold more than its share of the admission permits. */
class ClientConcurrencyTest {
    private static final int CAP = 2;
    private static final String PASSWORD = "Tr0ub4dor&3-horse";
    private static TestServer server;
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "auth.enabled", "true",
                "auth.registration", "true",
                "auth.jwt-secret", "client-concurrency-test-secret-0123456789",
                "admission.max-concurrent-requests", "10",
                "admission.max-concurrent-streaming", "2",
                "admission.max-concurrent-per-client", String.valueOf(CAP),
                "admission.max-concurrent-per-ip", String.valueOf(CAP),
                "admission.queue-timeout", "5s",   // a request that queued would take this long: see "refused at once"
                // The uploads below must still be open when a loaded machine gets round to the capped login.
                // Closing the sockets ends them sooner; this only bounds a test that failed.
                "admission.body-timeout", "30s",
                "admission.body-min-rate", "0"));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        server.close();
    }

    @Test
    void oneCredentialIsCappedOthersAreNot() throws Exception {
        String hog = token("hog");
        String other = token("other");
        List<Future<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            // 5 s: room for the checks below on a loaded machine before these end on their own.
            held.add(pool.submit(() -> get("/diag/sleep?ms=5000", hog)));
        }
        await("the hog's requests are in flight", Duration.ofSeconds(5),
              () -> server.health().get("concurrent_requests").asInt() == CAP);

        long start = System.nanoTime();
        HttpResponse<String> refused = get("/diag/sleep?ms=1", hog);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("too_many_concurrent_requests", json(refused).at("/error/code").asText());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "429 carries Retry-After");
        // Queueing would take the 5 s queue timeout; the bound leaves a loaded machine room for the request itself.
        assertTrue(ms < 3000, "refused at once, without queueing: " + ms + " ms");

        assertEquals(200, get("/diag/sleep?ms=1", other).statusCode(), "another credential is not affected");
        for (Future<HttpResponse<String>> f : held) {
            assertEquals(200, f.get().statusCode());
        }
        assertEquals(200, get("/diag/sleep?ms=1", hog).statusCode(), "the cap frees up as requests finish");
    }

    @Test
    void anonymousCallersAreCappedPerAddressSlowUploadsIncluded() throws Exception {
        List<Socket> drips = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {   // two slow login bodies from this address
                Socket s = new Socket("127.0.0.1", server.port());
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           + "Content-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                drips.add(s);
            }
            // The uploads count once the server has read their headers: wait for that (bounded) instead of a
            // fixed 300 ms a loaded machine could overrun. Until then a login is read and refused (401); a fresh
            // name each time and a growing pause between tries keep the login throttle (10 per name, 50 per
            // address) out: at most about 25 tries in the 20 s.
            HttpResponse<String>[] refusedBox = new HttpResponse[1];
            int[] tries = {0};
            await("the two uploads count against this address", Duration.ofSeconds(20), () -> {
                if (tries[0]++ > 0) {
                    pause(Math.min(100L * tries[0], 1000));
                }
                refusedBox[0] = server.postJson("/api/auth/login",
                        "{\"username\":\"nobody-" + tries[0] + "\",\"password\":\"wrong-password-1\"}");
                return refusedBox[0].statusCode() != 401;
            });
            HttpResponse<String> refused = refusedBox[0];
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("too_many_concurrent_requests", json(refused).at("/error/code").asText());
            assertEquals(0, server.health().get("concurrent_requests").asInt(), "the uploads hold no admission permit");
        } finally {
            for (Socket s : drips) {
                s.close();
            }
        }
        await("the address's slots come back", Duration.ofSeconds(5), () -> server.postJson("/api/auth/login",
                "{\"username\":\"nobody\",\"password\":\"wrong-password-1\"}").statusCode() == 401);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String token(String who) {
        String body = "{\"username\":\"" + who + "-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"password\":\"" + PASSWORD + "\"}";
        assertEquals(201, server.postJson("/api/auth/register", body).statusCode());
        HttpResponse<String> login = server.postJson("/api/auth/login", body);
        assertEquals(200, login.statusCode(), login.body());
        return json(login).path("token").asText();
    }

    private static HttpResponse<String> get(String path, String bearer) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + bearer).GET());
    }
}
