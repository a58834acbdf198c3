package io.sluice.sessions;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.llm.UsageRows;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.XAddParams;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A session chat task delivered twice (the worker crashed after storing the reply, before the task's
 * commit): the second run stores no second reply, writes no second usage row and calls no upstream.
 */
class SessionReplayTest {
    private static final String STREAM = "test:tasks:replay:" + UUID.randomUUID();

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("up", Map.of(
            "llm.models.chat-model.route", "up:m",
            "sessions.default-model", "chat-model",
            "tasks.stream", STREAM));

    @Test
    void replayingTheSameTaskAppendsTheReplyAndItsUsageOnce() throws Exception {
        TestServer server = gateway.server();
        String session = json(server.postJson("/v1/sessions", "{\"user\":\"ann\"}")).get("id").asText();
        HttpResponse<String> accepted = server.postJson("/v1/sessions/" + session + "/chat", "{\"message\":\"hello once\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String taskId = json(accepted).get("task_id").asText();
        JsonNode first = json(server.get("/v1/tasks/" + taskId + "?wait=20s"));
        assertEquals("succeeded", first.get("status").asText(), first.toString());
        int upstreamCalls = gateway.upstream().calls();
        await("the first usage row", Duration.ofSeconds(10), () -> UsageRows.forRequest("task-" + taskId).size() == 1);

        // The crash: the task is back to queued, as if its commit never happened, and delivered again.
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE tasks SET status = 'queued', result = NULL, finished_at = NULL, worker = NULL WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(taskId));
            assertEquals(1, ps.executeUpdate());
        }
        var redis = java.net.URI.create(TestInfra.redisUrl());
        try (Jedis jedis = new Jedis(redis.getHost(), redis.getPort())) {
            jedis.xadd(STREAM, XAddParams.xAddParams(), Map.of("task", taskId));
        }
        JsonNode[] second = new JsonNode[1];
        await("the replayed task to finish", Duration.ofSeconds(20), () -> {
            second[0] = json(server.get("/v1/tasks/" + taskId));
            return "succeeded".equals(second[0].get("status").asText());
        });

        assertEquals(first.at("/result/message/id"), second[0].at("/result/message/id"), "the stored reply is the answer");
        JsonNode history = json(server.get("/v1/sessions/" + session + "/messages")).get("data");
        assertEquals(2, history.size(), "one user message and one reply: " + history);
        assertEquals(upstreamCalls, gateway.upstream().calls(), "no second upstream call");
        Thread.sleep(1000);   // the usage writer flushes in batches: give a wrongly recorded second row time to land
        assertEquals(1, UsageRows.forRequest("task-" + taskId).size(), "one usage row per task");
    }
}
