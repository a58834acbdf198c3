package io.sluice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.sluice.support.ServerProcess;
import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM, as Kubernetes sends it: the in-flight request still completes, new ones are refused,
 * and the process exits on its own. Configured only through environment variables, as in a container.
 */
class ShutdownTest {

    @Test
    void sigtermLetsInFlightRequestsFinish() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "shutdown-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        try (ServerProcess p = ServerProcess.start(dir, Map.of(
                "SERVER_PORT", String.valueOf(port),
                "DATABASE_URL", TestInfra.postgresUrl().replace("jdbc:postgresql://", "postgres://postgres:postgres@"),
                "REDIS_URL", TestInfra.redisUrl(),
                "LOGGING_DIR", dir.resolve("logs").toString(),
                "AUTH_ENABLED", "false"))) {   // this test is about draining, not credentials
            p.waitUntilReady(client, base + "/observe/health/ready");

            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(base + "/diag/sleep?ms=2000")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            p.terminate();

            HttpResponse<String> finished = inFlight.get();
            assertEquals(200, finished.statusCode(), "the in-flight request completed during shutdown");
            assertEquals(143, p.waitFor(30), "exited by SIGTERM after draining; output:\n" + p.output());
            String out = p.output();
            assertTrue(out.contains("draining in-flight requests") && out.contains("shutdown complete"), out);
            assertTrue(out.contains("using external PostgreSQL") && out.contains("using external Redis"), out);
        }
    }

}
