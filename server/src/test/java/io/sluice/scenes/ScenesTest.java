package io.sluice.scenes;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prompt scenes: a stored template, rendered with the caller's variables and answered as a task or at once. */
class ScenesTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        HttpResponse<String> created = server.postJson("/api/llmchat/prompts", """
                {"scene":"summary","template":"Summarize {{topic}} in {{ words }} words.",
                 "system":"You are brief.","model":"sluice-sim","params":{"temperature":0.2,"max_tokens":20}}""");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("[\"topic\",\"words\"]", json(created).get("variables").toString());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void sceneCallRunsAsATaskAndPollsToTheAnswer() {
        HttpResponse<String> accepted = server.postJson("/api/llmchat/prompts/summary/api",
                                                        "{\"variables\":{\"topic\":\"tides\",\"words\":12}}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String taskId = json(accepted).get("task_id").asText();
        JsonNode task = json(server.get("/v1/tasks/" + taskId + "?wait=20s"));
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        assertEquals("scene:summary", task.get("kind").asText());
        assertEquals("Summarize tides in 12 words.", renderedPrompt(taskId));
        assertFalse(task.at("/result/choices/0/message/content").asText().isBlank());
        // The seed's own polling path gives the same task.
        assertEquals("succeeded", json(server.get("/api/llmchat/tasks/" + taskId)).get("status").asText());
    }

    @Test
    void syncCallAnswersDirectly() {
        HttpResponse<String> r = server.postJson("/api/llmchat/prompts/summary/api?sync=true",
                                                 "{\"topic\":\"tides\",\"words\":\"5\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("chat.completion", json(r).get("object").asText());
    }

    @Test
    void missingVariablesAre400NamingThem() {
        HttpResponse<String> r = server.postJson("/api/llmchat/prompts/summary/api", "{\"variables\":{\"topic\":\"tides\"}}");
        assertEquals(400, r.statusCode());
        assertEquals("missing_variables", json(r).at("/error/code").asText());
        assertTrue(json(r).at("/error/message").asText().contains("words"), r.body());
        assertFalse(json(r).at("/error/message").asText().contains("topic"), r.body());
    }

    @Test
    void crudAndUnknownScenes() {
        assertEquals(404, server.postJson("/api/llmchat/prompts/nope/api", "{}").statusCode());
        assertEquals(409, server.postJson("/api/llmchat/prompts",
                "{\"scene\":\"summary\",\"template\":\"x\",\"model\":\"sluice-sim\"}").statusCode());
        assertEquals(400, server.postJson("/api/llmchat/prompts", "{\"scene\":\"bad name!\",\"template\":\"x\",\"model\":\"m\"}")
                .statusCode());
        HttpResponse<String> put = server.send(HttpRequest.newBuilder(server.uri("/api/llmchat/prompts/temp"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"template\":\"Hi {{name}}\",\"model\":\"sluice-sim\"}")));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("Hi {{name}}", json(server.get("/api/llmchat/prompts/temp")).get("template").asText());
        assertTrue(json(server.get("/api/llmchat/prompts")).get("data").size() >= 2);
        assertEquals(200, server.send(HttpRequest.newBuilder(server.uri("/api/llmchat/prompts/temp")).DELETE()).statusCode());
        assertEquals(404, server.get("/api/llmchat/prompts/temp").statusCode());
    }

    /** The user message the task sent upstream, as stored with the task. */
    private static String renderedPrompt(String taskId) {
        try (var c = java.sql.DriverManager.getConnection(io.sluice.support.TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("SELECT request->'messages'->1->>'content' FROM tasks WHERE id = ?::uuid")) {
            ps.setString(1, taskId);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
