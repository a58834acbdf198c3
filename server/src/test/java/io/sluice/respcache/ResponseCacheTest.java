package io.sluice.respcache;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.llm.Sse;
import io.sluice.llm.UsageRows;
import io.sluice.support.BadAnswers;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache against a real server (auth on: two users), real Redis and a fake upstream
 * that counts its calls: exact hits in both shapes, semantic hits with the built-in embedder,
 * bypasses, per-user isolation and global sharing, errors and cut streams never stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResponseCacheTest {
    private static TestGateway gateway;
    private static TestServer server;
    private static FakeUpstream fake;
    private static String alice;
    private static String bob;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("auth.enabled", "true");
        c.put("auth.registration", "true");
        c.put("auth.jwt-secret", "respcache-test-secret-0123456789abcdef-0123456789");
        c.put("llm.retry.max-attempts", "1");
        c.put("llm.models.exact-model.route", "fake:up-exact");
        c.put("llm.models.exact-model.cache.mode", "exact");
        c.put("llm.models.global-model.route", "fake:up-global");
        c.put("llm.models.global-model.cache.mode", "exact");
        c.put("llm.models.global-model.cache.scope", "global");
        c.put("llm.models.semantic-model.route", "fake:up-semantic");
        c.put("llm.models.semantic-model.cache.mode", "semantic");
        c.put("llm.models.plain-model.route", "fake:up-plain");
        gateway = TestGateway.start("fake", c);
        server = gateway.server();
        fake = gateway.upstream();
        alice = login("alice");
        bob = login("bob");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @BeforeEach
    void reset() {
        gateway.reset();
        fake.byDefault(FakeUpstream.numbered());   // "answer from call N": which call an answer came from
    }

    @Test
    @Order(1)
    void exactHitIsReplayedAsJsonAndAsAStreamWithoutCallingUpstream() {
        String q = question("exact");
        HttpResponse<String> first = chat(alice, "exact-model", q, false, null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("miss", cache(first));
        HttpResponse<String> second = chat(alice, "exact-model", q, false, null);
        assertEquals("hit", cache(second));
        assertEquals(first.body(), second.body(), "the stored answer, byte for byte");
        assertEquals(1, fake.calls(), "the hit never reached the upstream");
        JsonNode body = TestServer.json(second);
        for (String field : List.of("id", "object", "created", "model", "choices", "usage")) {
            assertTrue(body.has(field), field);
        }

        HttpResponse<String> streamed = chat(alice, "exact-model", q, true, ",\"stream_options\":{\"include_usage\":true}");
        assertEquals("hit", cache(streamed), "the same request streamed is the same entry");
        assertTrue(streamed.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = Sse.data(streamed.body());
        assertEquals("[DONE]", events.getLast());
        assertEquals(body.at("/choices/0/message/content").asText(), content(events));
        JsonNode chunk = Json.MAPPER.valueToTree(parse(events.getFirst()));
        assertEquals("chat.completion.chunk", chunk.path("object").asText());
        assertEquals(body.path("id").asText(), chunk.path("id").asText());
        assertEquals(body.path("usage"), parse(events.get(events.size() - 2)).path("usage"), "the usage chunk asked for");
        assertEquals(1, fake.calls());

        // Streamed first: the streamed answer is kept and replayed in both shapes.
        fake.byDefault(FakeUpstream.reply(4, Duration.ZERO));
        String s = question("streamed");
        HttpResponse<String> live = chat(alice, "exact-model", s, true, null);
        assertEquals("miss", cache(live));
        HttpResponse<String> again = chat(alice, "exact-model", s, true, null);
        assertEquals("hit", cache(again));
        assertEquals(content(Sse.data(live.body())), content(Sse.data(again.body())));
        assertEquals("stop", parse(Sse.data(again.body()).get(1)).at("/choices/0/finish_reason").asText());
        HttpResponse<String> json = chat(alice, "exact-model", s, false, null);
        assertEquals("hit", cache(json));
        assertEquals("w0 w1 w2 w3", TestServer.json(json).at("/choices/0/message/content").asText());
        assertEquals("chat.completion", TestServer.json(json).path("object").asText());
        assertEquals(2, fake.calls());

        String id = "rc-" + UUID.randomUUID();
        chat(alice, "exact-model", s, false, null, Map.of("X-Request-Id", id));
        await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(id).isEmpty());
        UsageRows.Row row = UsageRows.forRequest(id).getFirst();
        assertEquals(List.of("cache", "cache_hit", 0, 0), List.of(row.provider(), row.status(), row.promptTokens(), row.completionTokens()));
    }

    @Test
    @Order(2)
    void paraphraseIsASemanticHitAndAnUnrelatedQuestionIsNot() {
        HttpResponse<String> first = chat(alice, "semantic-model", "What's the capital of France?", false, null);
        assertEquals("miss", cache(first));
        HttpResponse<String> paraphrase = chat(alice, "semantic-model", "what is the capital city of France", false, null);
        assertEquals("semantic-hit", cache(paraphrase));
        double similarity = Double.parseDouble(paraphrase.headers().firstValue("X-Sluice-Cache-Similarity").orElseThrow());
        assertTrue(similarity >= 0.9 && similarity < 1, "similarity " + similarity);
        assertEquals(first.body(), paraphrase.body());
        HttpResponse<String> unrelated = chat(alice, "semantic-model", "How do I bake sourdough bread?", false, null);
        assertEquals("miss", cache(unrelated));
        assertEquals("answer from call 2", TestServer.json(unrelated).at("/choices/0/message/content").asText());
        HttpResponse<String> exact = chat(alice, "semantic-model", "What's the capital of France?", true, null);
        assertEquals("hit", cache(exact), "semantic includes exact");
        assertEquals(2, fake.calls());
        assertEquals("miss", cache(chat(bob, "semantic-model", "what is the capital city of France", false, null)),
                     "user scope: another user's paraphrase is not served alice's answer");
    }

    @Test
    @Order(3)
    void bypassesSampledRequestsAndHonoursCacheControl() {
        String q = question("bypass");
        assertEquals("bypass", cache(chat(alice, "exact-model", q, false, ",\"temperature\":0.7")));
        assertEquals("bypass", cache(chat(alice, "exact-model", q, false, ",\"temperature\":0.7")), "sampled: never stored");
        assertEquals(2, fake.calls());
        assertEquals("bypass", cache(chat(alice, "exact-model", q, false, null, Map.of("Cache-Control", "no-cache"))));
        assertEquals(3, fake.calls(), "no-cache: not read");
        assertEquals("hit", cache(chat(alice, "exact-model", q, false, null)), "no-cache still stores");
        String r = question("no-store");
        assertEquals("miss", cache(chat(alice, "exact-model", r, false, null, Map.of("Cache-Control", "no-store"))));
        assertEquals("miss", cache(chat(alice, "exact-model", r, false, null)), "no-store: not written");
        assertEquals(5, fake.calls());
        HttpResponse<String> plain = chat(alice, "plain-model", q, false, null);
        assertEquals(200, plain.statusCode());
        assertTrue(plain.headers().firstValue("X-Sluice-Cache").isEmpty(), "a model without a cache has no cache header");
    }

    @Test
    @Order(4)
    void userScopeNeverLeaksBetweenUsersAndGlobalScopeShares() {
        String q = question("scope");
        assertEquals("miss", cache(chat(alice, "exact-model", q, false, null)));
        HttpResponse<String> other = chat(bob, "exact-model", q, false, null);
        assertEquals("miss", cache(other));
        assertEquals("answer from call 2", TestServer.json(other).at("/choices/0/message/content").asText());
        assertEquals("hit", cache(chat(bob, "exact-model", q, false, null)));

        assertEquals("miss", cache(chat(alice, "global-model", q, false, null)));
        HttpResponse<String> shared = chat(bob, "global-model", q, false, null);
        assertEquals("hit", cache(shared));
        assertEquals("answer from call 3", TestServer.json(shared).at("/choices/0/message/content").asText());
        assertEquals(3, fake.calls());
    }

    @Test
    @Order(5)
    void errorsAndCutStreamsAreNeverStored() {
        String q = question("error");
        fake.then(FakeUpstream.fail(500));
        HttpResponse<String> failed = chat(alice, "exact-model", q, false, null);
        assertEquals(502, failed.statusCode(), failed.body());
        HttpResponse<String> after = chat(alice, "exact-model", q, false, null);
        assertEquals(200, after.statusCode());
        assertEquals("miss", cache(after), "the error was not stored");

        String s = question("cut");
        fake.then(BadAnswers.streamThen(2, ""));   // two chunks, then the end without finish_reason or [DONE]
        HttpResponse<String> cut = chat(alice, "exact-model", s, true, null);
        assertFalse(Sse.data(cut.body()).getLast().equals("[DONE]"), cut.body());
        HttpResponse<String> retry = chat(alice, "exact-model", s, true, null);
        assertEquals("miss", cache(retry), "the cut stream was not stored");
        assertTrue(retry.body().contains("[DONE]"));
        assertEquals(4, fake.calls());
    }

    // ---- helpers ----

    private static String question(String what) {
        return what + " question " + UUID.randomUUID();
    }

    private static HttpResponse<String> chat(String token, String model, String question, boolean stream, String extra) {
        return chat(token, model, question, stream, extra, Map.of());
    }

    private static HttpResponse<String> chat(String token, String model, String question, boolean stream, String extra,
                                             Map<String, String> headers) {
        String sampling = extra != null && extra.contains("temperature") ? "" : ",\"temperature\":0";
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + sampling + (extra == null ? "" : extra)
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":"
                + Json.write(question) + "}]}";
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return server.send(b);
    }

    private static String cache(HttpResponse<String> res) {
        return res.headers().firstValue("X-Sluice-Cache").orElse(null);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(json, e);
        }
    }

    private static String content(List<String> events) {
        StringBuilder sb = new StringBuilder();
        for (String e : events) {
            if (!e.equals("[DONE]")) {
                sb.append(parse(e).at("/choices/0/delta/content").asText(""));
            }
        }
        return sb.toString();
    }

    private static String login(String name) {
        String username = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        String creds = "{\"username\":\"" + username + "\",\"password\":\"Tr0ub4dor&3-horse\"}";
        HttpResponse<String> r = server.postJson("/api/auth/register", creds);
        assertEquals(201, r.statusCode(), r.body());
        HttpResponse<String> l = server.postJson("/api/auth/login", creds);
        assertEquals(200, l.statusCode(), l.body());
        return TestServer.json(l).path("token").asText();
    }

}
