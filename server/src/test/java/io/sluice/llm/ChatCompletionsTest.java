package io.sluice.llm;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
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

/** /v1/chat/completions and /v1/models as an OpenAI client sees them, against a fake upstream and the simulator. */
class ChatCompletionsTest {
    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.of(
                "llm.providers.fake.api-key", "sk-test-secret",
                "llm.models.fake-model.route", "fake:upstream-model",
                "llm.providers.simulated.latency", "10ms",
                "llm.providers.simulated.tokens-per-second", "2000",
                "llm.max-tokens-limit", "4096",
                "llm.max-content-chars", "1000"));
    private static FakeUpstream fake;
    private static TestServer server;

    @BeforeAll
    static void fields() {
        fake = gateway.upstream();
        server = gateway.server();
    }

    static HttpResponse<String> post(TestServer server, String path, String json, String requestId) {
        return server.send(HttpRequest.newBuilder(server.uri(path))
                                   .header("Content-Type", "application/json")
                                   .header("X-Request-Id", requestId)
                                   .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static String chat(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello there\"}]}";
    }

    @Test
    void nonStreamedAnswerIsTheUpstreamJsonAndUsageIsRecorded() throws Exception {
        String id = "ns-" + UUID.randomUUID();
        HttpResponse<String> res = post(server, "/v1/chat/completions", chat("fake-model", false, ""), id);

        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals("fake", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals("false", res.headers().firstValue("X-Sluice-Simulated").orElse(""));
        JsonNode body = json(res);
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("w0 w1 w2 w3 w4", body.at("/choices/0/message/content").asText());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());

        JsonNode sent = fake.requests().getFirst();
        assertEquals("upstream-model", sent.get("model").asText(), "the route's upstream model name goes upstream");
        assertFalse(sent.get("stream").asBoolean());
        assertEquals("hello there", sent.at("/messages/1/content").asText());
        assertEquals("Bearer sk-test-secret", fake.authorizations().getFirst());

        await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(id).isEmpty());
        UsageRows.Row row = UsageRows.forRequest(id).getFirst();
        assertEquals(new UsageRows.Row("", null, "fake-model", "fake", 11, 5, false, "complete"), row);
    }

    @Test
    void sequentialCallsReuseOneKeepAliveUpstreamConnection() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post(server, "/v1/chat/completions", chat("fake-model", i % 2 == 0, ""), "ka-" + i + UUID.randomUUID())
                    .statusCode());
        }
        assertEquals(3, fake.requests().size());
        assertEquals(1, fake.connections(), "streamed and non-streamed answers leave the connection reusable");
    }

    @Test
    void streamedAnswerRelaysEveryUpstreamChunkUnchangedThenDone() throws Exception {
        String id = "st-" + UUID.randomUUID();
        HttpResponse<String> res = post(server, "/v1/chat/completions", chat("fake-model", true, ",\"user\":\"ann\""), id);

        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertEquals("no-cache", res.headers().firstValue("Cache-Control").orElse(""));
        List<String> data = Sse.data(res.body());
        assertEquals("[DONE]", data.getLast(), "the stream ends with data: [DONE]");
        assertTrue(res.body().endsWith("data: [DONE]\n\n"));

        // Sluice asked for usage (to record it) but the client did not: that one chunk is held back.
        List<String> expected = new ArrayList<>(fake.sent());
        JsonNode usageChunk = Json.MAPPER.readTree(expected.removeLast());
        assertTrue(usageChunk.get("choices").isEmpty() && usageChunk.has("usage"));
        assertEquals(expected, data.subList(0, data.size() - 1), "each chunk relayed byte for byte");
        assertTrue(fake.requests().getFirst().at("/stream_options/include_usage").asBoolean());

        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = Json.MAPPER.readTree(d);
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            text.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertEquals("w0 w1 w2 w3 w4", text.toString());

        await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(id).isEmpty());
        assertEquals(new UsageRows.Row("ann", null, "fake-model", "fake", 11, 5, false, "complete"),
                     UsageRows.forRequest(id).getFirst());
    }

    @Test
    void clientThatAsksForUsageGetsTheUsageChunk() {
        HttpResponse<String> res = post(server, "/v1/chat/completions",
                                        chat("fake-model", true, ",\"stream_options\":{\"include_usage\":true}"), "u-" + UUID.randomUUID());
        List<String> data = Sse.data(res.body());
        List<String> expected = new ArrayList<>(fake.sent());
        expected.add("[DONE]");
        assertEquals(expected, data);
    }

    @Test
    void simulatedModelSaysSoAndIsDeterministic() throws Exception {
        JsonNode models = json(server.get("/v1/models"));
        assertEquals("list", models.get("object").asText());
        JsonNode sim = null;
        JsonNode real = null;
        for (JsonNode m : models.get("data")) {
            if (m.get("id").asText().equals("sluice-sim")) {
                sim = m;
            } else if (m.get("id").asText().equals("fake-model")) {
                real = m;
            }
            assertEquals("model", m.get("object").asText());
        }
        assertTrue(sim != null && sim.get("simulated").asBoolean() && sim.get("owned_by").asText().equals("simulated"), models.toString());
        assertTrue(real != null && !real.get("simulated").asBoolean(), models.toString());
        assertEquals(200, server.get("/v1/models/sluice-sim").statusCode());

        HttpResponse<String> first = post(server, "/v1/chat/completions", chat("sluice-sim", false, ""), "sim1-" + UUID.randomUUID());
        HttpResponse<String> second = post(server, "/v1/chat/completions", chat("sluice-sim", false, ""), "sim2-" + UUID.randomUUID());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("true", first.headers().firstValue("X-Sluice-Simulated").orElse(""));
        assertEquals("simulated", json(first).get("system_fingerprint").asText());
        String content = json(first).at("/choices/0/message/content").asText();
        assertTrue(content.startsWith("Simulated reply to: hello there."), content);
        assertEquals(content, json(second).at("/choices/0/message/content").asText());

        HttpResponse<String> streamed = post(server, "/v1/chat/completions", chat("sluice-sim", true, ""), "sim3-" + UUID.randomUUID());
        List<String> data = Sse.data(streamed.body());
        assertEquals("[DONE]", data.getLast());
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = Json.MAPPER.readTree(d);
            assertEquals("simulated", chunk.get("system_fingerprint").asText());
            text.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertEquals(content, text.toString(), "streamed and non-streamed simulated replies are the same text");
    }

    @Test
    void maxTokensShortensTheSimulatedReply() {
        HttpResponse<String> res = post(server, "/v1/chat/completions", chat("sluice-sim", false, ",\"max_tokens\":3"), "mt-" + UUID.randomUUID());
        JsonNode body = json(res);
        assertEquals("length", body.at("/choices/0/finish_reason").asText());
        assertEquals(3, body.at("/usage/completion_tokens").asInt());
    }

    @Test
    void invalidRequestsGetClearOpenAiStyleErrors() {
        String user = "{\"role\":\"user\",\"content\":\"hi\"}";
        Map<String, String> cases = Map.of(
                "{\"model\":\"fake-model\"}", "invalid_messages",
                "{\"model\":\"fake-model\",\"messages\":[]}", "invalid_messages",
                "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}", "invalid_role",
                "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":42}]}", "invalid_content",
                "{\"model\":\"fake-model\",\"messages\":[" + user + "],\"max_tokens\":0}", "invalid_max_tokens",
                "{\"model\":\"fake-model\",\"messages\":[" + user + "],\"max_tokens\":1000000}", "invalid_max_tokens",
                "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(1001) + "\"}]}", "content_too_large",
                "{\"model\":\"fake-model\",\"messages\":[" + user + "],\"stream\":\"yes\"}", "invalid_request",
                "{\"messages\":[" + user + "]}", "invalid_model");
        cases.forEach((body, code) -> {
            HttpResponse<String> res = server.postJson("/v1/chat/completions", body);
            assertEquals(400, res.statusCode(), body + " -> " + res.body());
            JsonNode error = json(res).get("error");
            assertEquals(code, error.get("code").asText(), res.body());
            assertEquals("invalid_request_error", error.get("type").asText());
            assertFalse(error.get("message").asText().isBlank());
        });
        HttpResponse<String> parts = server.postJson("/v1/chat/completions",
                "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");
        assertEquals(200, parts.statusCode(), "OpenAI's content-parts array is accepted: " + parts.body());
        assertTrue(fake.requests().size() == 1, "invalid requests never reach the upstream");
    }

    @Test
    void unknownModelIsOpenAisModelNotFound() {
        HttpResponse<String> res = server.postJson("/v1/chat/completions", chat("gpt-nonexistent", false, ""));
        assertEquals(404, res.statusCode());
        JsonNode error = json(res).get("error");
        assertEquals("model_not_found", error.get("code").asText());
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("message").asText().contains("gpt-nonexistent"));
        assertEquals(404, server.get("/v1/models/gpt-nonexistent").statusCode());
    }
}
