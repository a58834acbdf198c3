package io.sluice.sessions;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.llm.Sse;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions as the seed's chat app uses them: create, chat (streamed or not), read the history back. */
class SessionsTest {
    private static final int BUDGET = 40;   // approximate tokens of earlier messages sent upstream

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("up", Map.of(
                "llm.models.chat-model.route", "up:m",
                "sessions.default-model", "chat-model",
                "sessions.history-token-budget", String.valueOf(BUDGET),
                "llm.max-content-chars", "1000"));
    private static FakeUpstream upstream;
    private static TestServer server;

    @BeforeAll
    static void fields() {
        upstream = gateway.upstream();
        server = gateway.server();
    }

    private static String create(String systemPrompt) {
        HttpResponse<String> res = server.postJson("/v1/sessions",
                "{\"user\":\"ann\",\"title\":\"Trip\"" + (systemPrompt == null ? "" : ",\"system_prompt\":\"" + systemPrompt + "\"") + "}");
        assertEquals(201, res.statusCode(), res.body());
        return json(res).get("id").asText();
    }

    private static HttpResponse<String> chat(String id, String message, boolean stream) {
        // ?sync=true: these tests follow one synchronous turn; asynchronous turns have their own test.
        return server.postJson("/v1/sessions/" + id + "/chat?sync=true", "{\"message\":\"" + message + "\",\"stream\":" + stream + "}");
    }

    private static List<JsonNode> messages(String id, String query) {
        HttpResponse<String> res = server.get("/v1/sessions/" + id + "/messages" + query);
        assertEquals(200, res.statusCode(), res.body());
        List<JsonNode> out = new ArrayList<>();
        json(res).get("data").forEach(out::add);
        return out;
    }

    private static List<String> roleAndContent(JsonNode messages) {
        List<String> out = new ArrayList<>();
        messages.forEach(m -> out.add(m.get("role").asText() + ": " + m.get("content").asText()));
        return out;
    }

    @Test
    void createChatTwiceAndReadTheHistoryBackInOrder() {
        String id = create("You are terse.");
        JsonNode session = json(server.get("/v1/sessions/" + id));
        assertEquals("ann", session.get("user").asText());
        assertEquals("Trip", session.get("title").asText());
        assertEquals("chat-model", session.get("model").asText(), "the configured default model");

        HttpResponse<String> first = chat(id, "first question", false);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("w0 w1 w2 w3 w4", json(first).at("/message/content").asText());
        assertFalse(json(first).at("/message/incomplete").asBoolean());

        HttpResponse<String> second = chat(id, "second question", true);
        List<String> data = Sse.data(second.body());
        assertEquals("[DONE]", data.getLast());

        List<JsonNode> history = messages(id, "");
        assertEquals(List.of("user: first question", "assistant: w0 w1 w2 w3 w4", "user: second question",
                             "assistant: w0 w1 w2 w3 w4"),
                     history.stream().map(m -> m.get("role").asText() + ": " + m.get("content").asText()).toList());
        for (int i = 1; i < history.size(); i++) {
            assertTrue(history.get(i).get("id").asLong() > history.get(i - 1).get("id").asLong());
            assertFalse(history.get(i).get("incomplete").asBoolean());
        }
        assertEquals(List.of("system: You are terse.", "user: first question", "assistant: w0 w1 w2 w3 w4",
                             "user: second question"),
                     roleAndContent(upstream.requests().get(1).get("messages")), "what the second chat sent upstream");
    }

    @Test
    void seedCreateAliasAndValidation() {
        HttpResponse<String> res = server.postJson("/v1/sessions/create", "{\"user\":\"bob\"}");
        assertEquals(201, res.statusCode(), res.body());
        assertEquals(json(res).get("id").asText(), json(res).get("session_id").asText());

        // "user" is a display name now (the owner is the authenticated caller): optional, but a string.
        assertEquals(400, server.postJson("/v1/sessions", "{\"user\":5}").statusCode());
        assertEquals("local", json(server.postJson("/v1/sessions", "{\"title\":\"no user\"}")).get("user").asText());
        HttpResponse<String> unknownModel = server.postJson("/v1/sessions", "{\"user\":\"bob\",\"model\":\"nope\"}");
        assertEquals(404, unknownModel.statusCode());
        assertEquals("model_not_found", json(unknownModel).at("/error/code").asText());

        String id = json(res).get("id").asText();
        assertEquals("invalid_messages", json(chat(id, "", false)).at("/error/code").asText());
        assertEquals("content_too_large", json(chat(id, "x".repeat(1001), false)).at("/error/code").asText());
        assertEquals(400, server.postJson("/v1/sessions/" + id + "/chat", "{\"message\":\"hi\",\"stream\":\"yes\"}").statusCode());
        assertEquals(0, upstream.requests().size());
        assertTrue(messages(id, "").isEmpty(), "a refused chat stores nothing");
    }

    @Test
    void messagesArePagedNewestPageFirstEachInOrder() {
        String id = create(null);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, chat(id, "q" + i, false).statusCode());
        }
        HttpResponse<String> page1 = server.get("/v1/sessions/" + id + "/messages?limit=4");
        JsonNode p1 = json(page1);
        assertTrue(p1.get("has_more").asBoolean());
        assertEquals(List.of("user: q1", "assistant: w0 w1 w2 w3 w4", "user: q2", "assistant: w0 w1 w2 w3 w4"),
                     roleAndContent(p1.get("data")));
        JsonNode p2 = json(server.get("/v1/sessions/" + id + "/messages?limit=4&before=" + p1.get("first_id").asLong()));
        assertFalse(p2.get("has_more").asBoolean());
        assertEquals(List.of("user: q0", "assistant: w0 w1 w2 w3 w4"), roleAndContent(p2.get("data")));
        assertEquals(400, server.get("/v1/sessions/" + id + "/messages?limit=0").statusCode());
    }

    @Test
    void historySentUpstreamIsTrimmedToTheBudgetKeepingSystemPromptAndNewMessage() {
        String id = create("Answer in French.");
        String u1 = "a".repeat(100);   // 25 + 4 tokens each
        String u2 = "b".repeat(100);
        String u3 = "c".repeat(100);
        chat(id, u1, false);
        chat(id, u2, false);
        chat(id, u3, false);
        // Before the third chat: u1 (29) a1 (8) u2 (29) a2 (8); newest first, 8 + 29 fit in 40, a1 would not.
        assertEquals(List.of("system: Answer in French.", "user: " + u2, "assistant: w0 w1 w2 w3 w4", "user: " + u3),
                     roleAndContent(upstream.requests().get(2).get("messages")));
        assertEquals(6, messages(id, "").size(), "trimming changes what is sent, not what is stored");
    }

    @Test
    void anotherSessionsMessagesNeverLeakIn() {
        String a = create(null);
        String b = create(null);
        chat(a, "alpha secret", false);
        chat(b, "bravo", true);
        chat(a, "alpha again", false);
        String sentForB = upstream.requests().get(1).get("messages").toString();
        assertFalse(sentForB.contains("alpha"), sentForB);
        assertEquals(List.of("user: alpha secret", "assistant: w0 w1 w2 w3 w4"),
                     roleAndContent(upstream.requests().get(2).get("messages")).subList(0, 2));
        assertTrue(messages(b, "").stream().noneMatch(m -> m.get("content").asText().contains("alpha")));
        assertEquals(4, messages(a, "").size());
        assertEquals(2, messages(b, "").size());
    }

    @Test
    void deletedSessionIsGone() {
        String id = create(null);
        chat(id, "hello", false);
        HttpResponse<String> deleted = server.send(HttpRequest.newBuilder(server.uri("/v1/sessions/" + id)).DELETE());
        assertEquals(200, deleted.statusCode());
        assertTrue(json(deleted).get("deleted").asBoolean());
        assertEquals(404, server.get("/v1/sessions/" + id).statusCode());
        assertEquals("session_not_found", json(server.get("/v1/sessions/" + id + "/messages")).at("/error/code").asText());
        assertEquals(404, chat(id, "still there?", false).statusCode());
        assertEquals(404, server.send(HttpRequest.newBuilder(server.uri("/v1/sessions/" + id)).DELETE()).statusCode());
        assertEquals(404, server.get("/v1/sessions/" + UUID.randomUUID()).statusCode());
        assertEquals(404, server.get("/v1/sessions/not-a-uuid").statusCode());
    }

    @Test
    void replyCutShortByTheClientLeavingIsStoredIncomplete() throws Exception {
        String id = create(null);
        upstream.then(FakeUpstream.reply(400, Duration.ofMillis(25)));
        try (Sse.Connection c = new Sse.Connection(server.port(), "/v1/sessions/" + id + "/chat",
                                                   "{\"message\":\"tell me a long story\",\"stream\":true}", "leaver-" + id)) {
            List<String> data = c.readData(5);
            assertEquals(5, data.size());
            assertEquals("assistant", Json.MAPPER.readTree(data.getFirst()).at("/choices/0/delta/role").asText());
        }
        // 5 s leaves a loaded machine room and is still half of the 10 s the upstream's answer would take.
        await("upstream connection closed", Duration.ofSeconds(5), () -> upstream.closedAt() != 0);
        await("partial reply stored", Duration.ofSeconds(5), () -> messages(id, "").size() == 2);
        JsonNode reply = messages(id, "").get(1);
        assertEquals("assistant", reply.get("role").asText());
        assertTrue(reply.get("incomplete").asBoolean());
        assertTrue(reply.get("content").asText().startsWith("w0 w1 w2 w3"), reply.toString());
        assertFalse(reply.get("content").asText().contains("w399"), "not the whole answer");
    }

    @Test
    void nonStreamedChatRunsAsATaskByDefault() {
        String id = create(null);
        HttpResponse<String> accepted = server.postJson("/v1/sessions/" + id + "/chat", "{\"message\":\"async hello\"}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String taskId = json(accepted).get("task_id").asText();
        JsonNode task = json(server.get("/v1/tasks/" + taskId + "?wait=20s"));
        assertEquals("succeeded", task.get("status").asText(), task.toString());
        assertEquals(id, task.at("/result/session_id").asText());
        assertEquals("assistant", task.at("/result/message/role").asText());
        List<JsonNode> history = messages(id, "");
        assertEquals(2, history.size());
        assertEquals("async hello", history.get(0).get("content").asText());
        assertEquals(task.at("/result/message/content").asText(), history.get(1).get("content").asText());
    }
}
