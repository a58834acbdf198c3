package io.sluice.tasks;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many submits at once share INSERTs and XADD pipelines (group commit): every one is answered 202
 * with its own task, every acknowledged task is stored as queued, and each is on the stream once.
 */
class TaskSubmitBatchTest {
    private static Map<String, String> config;
    private static TestServer api;

    @BeforeAll
    static void start() {
        config = TasksTest.config("api");   // no workers: what was submitted stays queued
        api = TestServer.start(config);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void concurrentSubmitsAreAllStoredAndEnqueuedOnce() throws Exception {
        int n = 300;
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                answers.add(pool.submit(() -> api.postJson("/v1/tasks", TasksTest.CHAT.formatted("sluice-sim"))));
            }
        }
        Set<String> ids = new HashSet<>();
        for (Future<HttpResponse<String>> a : answers) {
            HttpResponse<String> r = a.get();
            assertEquals(202, r.statusCode(), r.body());
            ids.add(json(r).get("task_id").asText());
        }
        assertEquals(n, ids.size(), "each submit has its own task");
        for (String id : ids) {
            HttpResponse<String> r = api.get("/v1/tasks/" + id);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("queued", json(r).get("status").asText());
        }
        Set<String> onStream = new HashSet<>();
        try (Jedis jedis = new Jedis(java.net.URI.create(TestInfra.redisUrl()))) {
            jedis.xrange(config.get("tasks.stream"), "-", "+")
                 .forEach(e -> onStream.add(e.getFields().get(TaskQueue.FIELD)));
            assertEquals(n, jedis.xlen(config.get("tasks.stream")), "one entry per task");
        }
        assertEquals(ids, onStream);
    }
}
