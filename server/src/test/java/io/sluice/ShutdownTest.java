package io.sluice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.sluice.support.ServerProcess;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM, as Kubernetes sends it: the in-flight request still completes, new ones are refused,
 * and the process exits on its own. Configured only through environment variables, as in a container.
 */
class ShutdownTest {

    @Test
    void sigtermLetsInFlightRequestsFinish() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "shutdown-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ServerProcess p = ServerProcess.start(dir, Map.of(
                "SERVER_PORT", "0",   // the port it logs: no race for a port picked beforehand
                "DATABASE_URL", TestInfra.postgresUrl().replace("jdbc:postgresql://", "postgres://postgres:postgres@"),
                "REDIS_URL", TestInfra.redisUrl(),
                "LOGGING_DIR", dir.resolve("logs").toString(),
                "AUTH_ENABLED", "false"))) {   // this test is about draining, not credentials
            String base = "http://127.0.0.1:" + p.awaitPort();
            p.waitUntilReady(client, base + "/observe/health/ready");

            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/diag/sleep?ms=5000")).build(),
                    HttpResponse.BodyHandlers.ofString());
            // SIGTERM only once the request is being served (a fixed 500 ms sleep raced a slow machine: the
            // request could still be on its way and be refused, which is not the case under test). It holds
            // its permit for 5 s, which leaves this wait room on a loaded machine.
            await("the request in flight", Duration.ofSeconds(30), () -> inFlight(client, base) == 1);
            p.terminate();

            HttpResponse<String> finished = inFlight.get(60, TimeUnit.SECONDS);
            assertEquals(200, finished.statusCode(), "the in-flight request completed during shutdown");
            assertEquals(143, p.waitFor(30), "exited by SIGTERM after draining; output:\n" + p.output());
            String out = p.output();
            assertTrue(out.contains("draining in-flight requests") && out.contains("shutdown complete"), out);
            assertTrue(out.contains("using external PostgreSQL") && out.contains("using external Redis"), out);
        }
    }

    /**
     * Embedded Redis, task workers blocked in XREADGROUP: on SIGTERM the workers (and every other Redis user)
     * stop before Redis does, so the log after the shutdown has no connection warnings or errors.
     */
    @Test
    void sigtermStopsRedisUsersBeforeEmbeddedRedis() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "shutdown-order-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ServerProcess p = ServerProcess.start(dir, Map.of(   // no REDIS_URL: Redis is embedded, under dir/data/redis
                "SERVER_PORT", "0",
                "DATABASE_URL", TestInfra.postgresUrl().replace("jdbc:postgresql://", "postgres://postgres:postgres@"),
                "LOGGING_DIR", dir.resolve("logs").toString(),
                "AUTH_ENABLED", "false"))) {
            String base = "http://127.0.0.1:" + p.awaitPort();
            p.waitUntilReady(client, base + "/observe/health/ready");
            assertTrue(p.output().contains("embedded Redis started") && p.output().contains("task worker(s) on stream"),
                       p.output());
            p.terminate();
            assertEquals(143, p.waitFor(60), "exited by SIGTERM; output:\n" + p.output());
            String out = p.output() + readLogs(dir.resolve("logs"));
            assertTrue(out.contains("shutdown complete"), out);
            List<String> noise = out.lines()
                    .filter(l -> (l.contains("WARN") || l.contains("ERROR")) && l.contains("JedisConnectionException"))
                    .toList();
            assertEquals(List.of(), noise, "Redis users still polling after the embedded Redis stopped; output:\n" + out);
        }
    }

    private static String readLogs(Path logs) throws java.io.IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f));
            }
        }
        return all.toString();
    }

    /** Requests holding an admission permit (/health itself does not take one). */
    private static int inFlight(HttpClient client, String base) {
        try {
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                                                              .timeout(Duration.ofSeconds(10)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
            return TestServer.json(health).get("concurrent_requests").asInt();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

}
