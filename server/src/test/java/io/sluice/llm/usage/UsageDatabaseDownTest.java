package io.sluice.llm.usage;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.sluice.llm.UsageRows;
import io.sluice.support.TcpProxy;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL goes away under a running server (its connections are cut and new ones refused):
 * chats keep answering, the usage writer stays within its queue capacity, counts what it drops,
 * and writes again once PostgreSQL is back.
 */
class UsageDatabaseDownTest {
    private static final int CAPACITY = 20;
    private static final int BATCH = 5;
    private static final int CHATS = 200;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void chatsAnswerAndTheWriterStaysBoundedWhilePostgresIsDown() {
        URI pg = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort());
             TestServer server = TestServer.start(Map.of(
                     "database.url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + pg.getPath(),
                     "database.connection-timeout", "10s",   // twice what a chat may take below
                     "usage.queue-capacity", String.valueOf(CAPACITY),
                     "usage.batch-size", String.valueOf(BATCH),
                     "usage.max-retry-backoff", "200ms",
                     "usage.drain-timeout", "1s",
                     "llm.providers.simulated.latency", "1ms",
                     "llm.providers.simulated.tokens-per-second", "100000",
                     "llm.providers.simulated.reply-tokens", "3"))) {
            proxy.cut();

            for (int i = 0; i < CHATS; i++) {
                // A request that waited for PostgreSQL would wait for database.connection-timeout (10 s); 5 s leaves
                // a loaded CI machine room for a chat that does not.
                HttpResponse<String> res = chat(server, "down-" + i, Duration.ofSeconds(5));
                assertEquals(200, res.statusCode(), res.body());
                assertTrue(metric(server, "sluice_usage_queued") <= CAPACITY, "queue within its capacity");
            }
            double dropped = metric(server, "sluice_usage_dropped_total");
            // At most a full queue plus the batch being retried can be held; the rest must be dropped and counted.
            assertTrue(dropped >= CHATS - CAPACITY - BATCH, "dropped rows counted: " + dropped);
            assertTrue(metric(server, "sluice_usage_queued") <= CAPACITY);

            proxy.restore();
            // The rows held while PostgreSQL was down are written first; then new rows have room again.
            await("held rows written", Duration.ofSeconds(30), () -> metric(server, "sluice_usage_queued") == 0);
            dropped = metric(server, "sluice_usage_dropped_total");
            String after = "back-" + UUID.randomUUID();
            assertEquals(200, chat(server, after, Duration.ofSeconds(10)).statusCode());
            await("usage written again after PostgreSQL is back", Duration.ofSeconds(30),
                  () -> !UsageRows.forRequest(after).isEmpty());
            assertEquals(dropped, metric(server, "sluice_usage_dropped_total"), "nothing dropped once PostgreSQL is back");
        }
    }

    private static HttpResponse<String> chat(TestServer server, String requestId, Duration timeout) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                                       .timeout(timeout)
                                       .header("Content-Type", "application/json")
                                       .header("X-Request-Id", requestId)
                                       .POST(HttpRequest.BodyPublishers.ofString(
                                               "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                       .build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError("chat " + requestId + " did not answer within " + timeout.toMillis() + " ms", e);
        }
    }

    static double metric(TestServer server, String name) {
        String text = server.send(HttpRequest.newBuilder(server.uri("/observe/metrics")).header("Accept", "text/plain")).body();
        return text.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in /observe/metrics"));
    }
}
