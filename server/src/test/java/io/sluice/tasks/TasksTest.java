package io.sluice.tasks;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.support.FakeUpstream.delayed;
import static io.sluice.support.FakeUpstream.fail;
import static io.sluice.support.FakeUpstream.numbered;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Submit, poll, long-poll, cancel and dead letters, on a real server with real Redis Streams. */
class TasksTest {
    static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    /** The model the fake upstream serves, as provider "fake" of a {@link TestGateway}. */
    static final Map<String, String> FAKE_MODEL = Map.of("llm.models.fake.route", "fake:fake-1");

    // Two servers for the class: one with workers in front of a fake upstream, one that only queues.
    private static TestGateway all;
    private static TestServer api;

    /** Settings every task test uses: its own stream, quick timeouts. */
    static Map<String, String> config(String role) {
        Map<String, String> c = new HashMap<>();
        c.put("tasks.stream", "test:tasks:" + UUID.randomUUID());
        c.put("tasks.role", role);
        c.put("tasks.visibility-timeout", "2s");
        c.put("tasks.reconcile-interval", "1s");
        c.put("tasks.retry-backoff", "100ms");
        c.put("llm.retry.max-attempts", "1");
        return c;
    }

    static Map<String, String> withFakeModel(Map<String, String> c) {
        c.putAll(FAKE_MODEL);
        return c;
    }

    @BeforeAll
    static void start() {
        Map<String, String> c = withFakeModel(config("all"));
        c.put("tasks.max-attempts", "3");
        all = TestGateway.start("fake", c);
        api = TestServer.start(config("api"));   // no workers: its tasks stay queued
    }

    @AfterAll
    static void stop() {
        all.close();
        api.close();
    }

    @BeforeEach
    void reset() {
        all.reset();
    }

    static String submit(TestServer server, String model) {
        HttpResponse<String> r = server.postJson("/v1/tasks", CHAT.formatted(model));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("queued", body.get("status").asText());
        assertEquals("/v1/tasks/" + body.get("task_id").asText(), body.get("status_url").asText());
        assertEquals(body.get("status_url").asText(), r.headers().firstValue("Location").orElse(""));
        return body.get("task_id").asText();
    }

    static JsonNode awaitFinished(TestServer server, String taskId, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            JsonNode t = json(server.get("/v1/tasks/" + taskId + "?wait=5s"));
            String status = t.get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) {
                return t;
            }
        }
        throw new AssertionError("task " + taskId + " did not finish within " + timeout);
    }

    @Test
    void submitThenPollGivesTheSimulatedCompletion() {
        TestServer server = all.server();
        String id = submit(server, "sluice-sim");
        JsonNode task = awaitFinished(server, id, Duration.ofSeconds(30));
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        assertEquals(1, task.get("attempts").asInt());
        assertEquals("chat.completion", task.at("/result/object").asText());
        assertFalse(task.at("/result/choices/0/message/content").asText().isBlank());
        assertTrue(task.get("finished_at").asLong() >= task.get("created_at").asLong());
    }

    @Test
    void longPollReturnsWhenTheTaskEndsThroughAFakeUpstream() throws Exception {
        FakeUpstream upstream = all.upstream().byDefault(delayed(Duration.ofMillis(1500), numbered()));
        TestServer server = all.server();
        String id = submit(server, "fake");
        long start = System.nanoTime();
        JsonNode task = json(server.get("/v1/tasks/" + id + "?wait=25s"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        assertEquals("answer from call 1", task.at("/result/choices/0/message/content").asText());
        assertTrue(ms < 15_000, "the long poll ended with the task, not at its 25 s limit: " + ms + " ms");
        assertEquals(1, upstream.calls());
    }

    @Test
    void queuedTaskCanBeCancelledOnce() {
        String id = submit(api, "sluice-sim");
        HttpResponse<String> cancelled = api.send(HttpRequest.newBuilder(api.uri("/v1/tasks/" + id)).DELETE());
        assertEquals(200, cancelled.statusCode());
        assertEquals("cancelled", json(cancelled).get("status").asText());
        HttpResponse<String> again = api.send(HttpRequest.newBuilder(api.uri("/v1/tasks/" + id)).DELETE());
        assertEquals(409, again.statusCode());
        assertEquals("task_not_cancellable", json(again).at("/error/code").asText());
        assertEquals(404, api.get("/v1/tasks/" + UUID.randomUUID()).statusCode());
        HttpResponse<String> notAnId = api.get("/v1/tasks/not-a-uuid");
        assertEquals(404, notAnId.statusCode());
        assertEquals("task_not_found", json(notAnId).at("/error/code").asText());
    }

    @Test
    void invalidChatRequestIsRefusedAtSubmit() {
        assertEquals(400, api.postJson("/v1/tasks", "{\"model\":\"sluice-sim\",\"messages\":[]}").statusCode());
        assertEquals(404, api.postJson("/v1/tasks", CHAT.formatted("no-such-model")).statusCode());
        HttpResponse<String> badWait = api.get("/v1/tasks/" + UUID.randomUUID() + "?wait=forever");
        assertEquals(400, badWait.statusCode());
        assertEquals("invalid_parameter", json(badWait).at("/error/code").asText());
    }

    @Test
    void taskThatAlwaysFailsIsDeadLetteredAfterMaxAttempts() throws Exception {
        FakeUpstream upstream = all.upstream().byDefault(fail(500));
        TestServer server = all.server();
        String id = submit(server, "fake");
        JsonNode task = awaitFinished(server, id, Duration.ofSeconds(30));
        assertEquals("failed", task.get("status").asText(), task.toString());
        assertEquals(3, task.get("attempts").asInt());
        assertEquals(3, upstream.calls());
        assertFalse(task.at("/error/message").asText().isBlank());
        try (Jedis jedis = new Jedis(java.net.URI.create(TestInfra.redisUrl()))) {
            var dead = jedis.xrange(all.config().get("tasks.stream") + ":dead", "-", "+");
            assertEquals(1, dead.size());
            assertEquals(id, dead.getFirst().getFields().get("task"));
        }
    }
}
