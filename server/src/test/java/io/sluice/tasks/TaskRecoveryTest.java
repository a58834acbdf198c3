package io.sluice.tasks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.infra.Embedded;
import io.sluice.support.FakeUpstream;
import io.sluice.support.ServerProcess;
import io.sluice.support.TestGateway;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.FakeUpstream.delayed;
import static io.sluice.support.FakeUpstream.numbered;
import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static io.sluice.tasks.TasksTest.awaitFinished;
import static io.sluice.tasks.TasksTest.config;
import static io.sluice.tasks.TasksTest.submit;
import static io.sluice.tasks.TasksTest.withFakeModel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing acknowledged is lost: a killed worker, two competing workers, a Redis that comes back empty. */
class TaskRecoveryTest {

    @Test
    void taskOfAWorkerKilledMidTaskIsReclaimedAndCompletedOnce() throws Exception {
        // The first upstream call hangs (its worker dies in it); later calls answer at once.
        Path workDir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "worker-");
        try (TestGateway gateway = TestGateway.start("fake", withFakeModel(config("api")))) {
            FakeUpstream upstream = gateway.upstream().then(delayed(Duration.ofSeconds(60), numbered())).byDefault(numbered());
            Map<String, String> c = gateway.config();
            TestServer api = gateway.server();
            try (ServerProcess doomed = ServerProcess.start(workDir, env(c, "worker", "doomed-worker"))) {
                String id = submit(api, "fake");
                // A JVM start on a loaded CI machine: the process's own start bound.
                await("the separate worker process called the upstream", ServerProcess.START_BOUND, () -> upstream.calls() == 1);
                assertEquals("running", json(api.get("/v1/tasks/" + id)).get("status").asText());

                doomed.close();   // kill -9: no acknowledgement, no clean-up

                Map<String, String> rescuer = new HashMap<>(c);
                rescuer.put("tasks.role", "worker");
                rescuer.put("tasks.consumer", "rescuer");
                try (TestServer worker = TestServer.start(rescuer)) {
                    JsonNode task = awaitFinished(api, id, Duration.ofSeconds(30));
                    assertEquals("succeeded", task.get("status").asText(), task.toString());
                    assertEquals(2, task.get("attempts").asInt());
                    assertEquals("answer from call 2", task.at("/result/choices/0/message/content").asText());
                    Thread.sleep(3000);   // longer than the visibility timeout: nobody runs it again
                    assertEquals(2, upstream.calls());
                    assertEquals("answer from call 2",
                                 json(api.get("/v1/tasks/" + id)).at("/result/choices/0/message/content").asText());
                }
            }
        }
    }

    @Test
    void twoWorkerInstancesCompleteAThousandTasksExactlyOnce() throws Exception {
        Map<String, String> a = config("all");
        a.put("tasks.workers", "8");
        a.put("tasks.consumer", "instance-a");
        a.put("llm.providers.simulated.latency", "1ms");
        a.put("llm.providers.simulated.tokens-per-second", "100000");
        a.put("llm.providers.simulated.reply-tokens", "5");
        a.put("admission.max-concurrent-requests", "200");
        Map<String, String> b = new HashMap<>(a);
        b.put("tasks.consumer", "instance-b");
        try (TestServer one = TestServer.start(a);
             TestServer two = TestServer.start(b);
             ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<String>> submitted = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                TestServer target = i % 2 == 0 ? one : two;
                submitted.add(pool.submit(() -> submit(target, "sluice-sim")));
            }
            Set<String> ids = new HashSet<>();
            for (Future<String> f : submitted) {
                ids.add(f.get());
            }
            assertEquals(1000, ids.size());
            for (String id : ids) {
                JsonNode task = awaitFinished(one, id, Duration.ofSeconds(60));
                assertEquals("succeeded", task.get("status").asText(), task.toString());
                assertEquals(1, task.get("attempts").asInt(), "claimed exactly once: " + task);
            }
            Map<String, Integer> byWorker = new HashMap<>();
            try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
                 PreparedStatement ps = c.prepareStatement(
                         "SELECT worker, count(*) FROM tasks WHERE stream = ? AND status = 'succeeded' GROUP BY worker")) {
                ps.setString(1, a.get("tasks.stream"));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byWorker.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            assertEquals(1000, byWorker.values().stream().mapToInt(Integer::intValue).sum(), byWorker.toString());
            assertTrue(byWorker.getOrDefault("instance-a", 0) > 0 && byWorker.getOrDefault("instance-b", 0) > 0,
                       "both instances did work: " + byWorker);
        }
    }

    @Test
    void redisDownRefusesSubmitsAndAnEmptyRedisIsRefilledFromPostgres() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "redis-loss-");
        Embedded.Handle redis = Embedded.redis(0, dir.resolve("r1"));
        int port = redis.port();
        Map<String, String> c = config("api");
        c.put("redis.url", redis.url());
        c.put("redis.max-wait", "500ms");
        c.put("redis.connect-timeout", "500ms");
        try (TestServer api = TestServer.start(c)) {
            List<String> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(submit(api, "sluice-sim"));
            }
            redis.close();
            var refused = api.postJson("/v1/tasks", TasksTest.CHAT.formatted("sluice-sim"));
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("queue_unavailable", json(refused).at("/error/code").asText());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertEquals(5, unfinished(c.get("tasks.stream")), "the refused task left no row behind");

            redis = Embedded.redis(port, dir.resolve("r2"));      // back, but empty: the stream is gone
            Map<String, String> w = new HashMap<>(c);
            w.put("tasks.role", "worker");
            try (TestServer worker = TestServer.start(w)) {
                for (String id : queued) {
                    assertEquals("succeeded", awaitFinished(api, id, Duration.ofSeconds(30)).get("status").asText());
                }
            }
        } finally {
            redis.close();
        }
    }

    private static int unfinished(String stream) throws Exception {
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM tasks WHERE stream = ? AND status IN ('queued', 'running')")) {
            ps.setString(1, stream);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The test's settings as environment variables for a separate server process. */
    private static Map<String, String> env(Map<String, String> c, String role, String consumer) {
        Map<String, String> env = new HashMap<>();
        c.forEach((k, v) -> env.put(k.toUpperCase().replace("-", "_dash_").replace(".", "_"), v));
        env.put("TASKS_ROLE", role);
        env.put("TASKS_CONSUMER", consumer);
        env.put("SERVER_PORT", "0");
        env.put("DATABASE_URL", TestInfra.postgresUrl());
        env.put("DATABASE_USERNAME", "postgres");
        env.put("DATABASE_PASSWORD", "postgres");
        env.put("REDIS_URL", TestInfra.redisUrl());
        env.put("LOGGING_DIR", "logs");
        return env;
    }
}
