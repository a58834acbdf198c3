package io.sluice.llm.usage;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.sluice.support.ServerProcess;
import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst of 1,000 chats and SIGTERM right after the last answer: the rows still queued in the
 * usage writer are written before the process exits, so every answered chat has its usage row
 * (and its access line).
 */
class UsageShutdownTest {
    private static final int CHATS = 1000;
    private static final int CLIENTS = 16;

    @Test
    void everyUsageRowIsWrittenWhenTheProcessStopsRightAfterABurst() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "usage-shutdown-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String prefix = "burst-" + UUID.randomUUID() + "-";
        Map<String, String> env = new java.util.HashMap<>();
        env.put("SERVER_PORT", "0");   // the port it logs: no race for a port picked beforehand
        env.put("DATABASE_URL", TestInfra.postgresUrl().replace("jdbc:postgresql://", "postgres://postgres:postgres@"));
        env.put("REDIS_URL", TestInfra.redisUrl());
        env.put("LOGGING_DIR", dir.resolve("logs").toString());
        env.put("AUTH_ENABLED", "false");
        env.put("RATELIMIT_ENABLED", "false");
        env.put("USAGE_FLUSH_dash_INTERVAL", "200ms");        // the longest allowed: most rows are still queued at SIGTERM
        // Writing what is queued must not be cut short by a loaded CI machine: the case under test is that
        // the rows are written before exit, not how fast (the 10 s default cuts, drops and counts).
        env.put("USAGE_DRAIN_dash_TIMEOUT", "60s");
        env.put("LLM_PROVIDERS_SIMULATED_LATENCY", "1ms");
        env.put("LLM_PROVIDERS_SIMULATED_TOKENS_dash_PER_dash_SECOND", "100000");
        env.put("LLM_PROVIDERS_SIMULATED_REPLY_dash_TOKENS", "3");
        try (ServerProcess p = ServerProcess.start(dir, env)) {
            String base = "http://127.0.0.1:" + p.awaitPort();
            p.waitUntilReady(client, base + "/observe/health/ready");

            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < CHATS; i++) {
                String id = prefix + i;
                answers.add(pool.submit(() -> client.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .header("X-Request-Id", id)
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(), HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(200, answer.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
            p.terminate();

            assertEquals(143, p.waitFor(120), "exited by SIGTERM; output:\n" + p.output());
            assertEquals(CHATS, usageRows(prefix), "a usage row for every answered chat; output:\n" + p.output());
            assertTrue(p.output().contains("shutdown complete"), p.output());
            // The access log is asynchronous too, and flushed last: every answered chat has its line.
            long accessLines = Files.readAllLines(dir.resolve("logs/server.log")).stream()
                    .filter(l -> l.contains("sluice.access") && l.contains(prefix)).count();
            assertEquals(CHATS, accessLines, "an access line for every answered chat");
        }
    }

    private static int usageRows(String prefix) throws Exception {
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM llm_usage WHERE request_id LIKE ?")) {
            ps.setString(1, prefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

}
