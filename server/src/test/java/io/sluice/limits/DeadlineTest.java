package io.sluice.limits;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request deadline bounds a blocked handler: 504, the permit comes back, the connection stays usable. */
class DeadlineTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("admission.request-deadline", "1s", "database.connection-timeout", "500ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void slowRequestIsCutAtTheDeadline() {
        long start = System.nanoTime();
        HttpResponse<String> r = server.get("/diag/sleep?ms=10000");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.statusCode());
        assertEquals("deadline_exceeded", json(r).at("/error/code").asText());
        assertTrue(ms >= 900 && ms < 3000, "answered at the deadline: " + ms + " ms");
        await("permit returned", Duration.ofSeconds(5), () -> server.health().get("concurrent_requests").asInt() == 0);

        // Requests after it (the client reuses its keep-alive connection) are not hit by a stale interrupt.
        for (int i = 0; i < 5; i++) {
            assertEquals(200, server.get("/diag/sleep?ms=10").statusCode());
        }
    }
}
