package io.sluice.llm;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.FakeAnthropic;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code type: anthropic} against a fake that speaks the Messages API's real wire format: an OpenAI
 * SDK's request (system prompt, images, tools, stop, temperature) arrives as a Messages request with
 * Anthropic's headers, and the answers, streamed and not, come back in the shape the OpenAI SDK
 * parses (chat.completion, chat.completion.chunk, [DONE], usage, finish reasons, tool calls), with
 * Anthropic's errors mapped to Sluice's OpenAI-shaped ones.
 */
class AnthropicTest {
    private static FakeAnthropic fake;
    private static TestServer server;

    @BeforeAll
    static void start() {
        fake = FakeAnthropic.start();
        server = TestServer.start(Map.of(
                "llm.providers.claude.type", "anthropic",
                "llm.providers.claude.base-url", fake.baseUrl(),
                "llm.providers.claude.api-key", "sk-ant-test-key",
                "llm.models.claude.route", "claude:claude-sonnet-4-5",
                "llm.retry.max-attempts", "2",
                "llm.retry.initial-backoff", "20ms",
                "llm.retry.max-backoff", "50ms",
                "llm.retry.budget-min-retries", "1000"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    @BeforeEach
    void reset() {
        fake.reset();
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static HttpResponse<String> chat(String extra) {
        return server.postJson("/v1/chat/completions", "{\"model\":\"claude\"," + extra + "}");
    }

    private static final String HELLO = "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Say hello\"}]";

    @Test
    void requestIsTranslatedToTheMessagesApiWithAnthropicsHeaders() {
        HttpResponse<String> res = chat(HELLO + ",\"stop\":[\"END\"],\"temperature\":1.5,\"top_p\":0.9,\"user\":\"u-1\","
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"required\"");
        assertEquals(200, res.statusCode(), res.body());
        JsonNode sent = fake.requests().getFirst();
        assertEquals("claude-sonnet-4-5", sent.get("model").asText());
        assertEquals(4096, sent.get("max_tokens").asInt(), "required by Anthropic: the provider's default");
        assertEquals("Be brief.", sent.get("system").asText());
        assertEquals(1, sent.get("messages").size());
        assertEquals("user", sent.at("/messages/0/role").asText());
        assertEquals("Say hello", sent.at("/messages/0/content/0/text").asText());
        assertEquals("END", sent.at("/stop_sequences/0").asText());
        assertEquals(1.0, sent.get("temperature").asDouble(), "capped at Anthropic's maximum");
        assertEquals(0.9, sent.get("top_p").asDouble());
        assertEquals("u-1", sent.at("/metadata/user_id").asText());
        assertEquals("get_weather", sent.at("/tools/0/name").asText());
        assertEquals("object", sent.at("/tools/0/input_schema/type").asText());
        assertEquals("any", sent.at("/tool_choice/type").asText());
        assertFalse(sent.get("stream").asBoolean());
        var headers = fake.headers().getFirst();
        assertEquals("sk-ant-test-key", headers.getFirst("x-api-key"));
        assertEquals("2023-06-01", headers.getFirst("anthropic-version"));
        assertEquals(null, headers.getFirst("Authorization"), "Anthropic takes the key in x-api-key only");
    }

    @Test
    void imagesToolResultsAndMaxTokensCarryOver() {
        String body = "\"max_tokens\":50,\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\"}}]},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"q\\\":\\\"cat\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"a cat\"},"
                + "{\"role\":\"user\",\"content\":\"Thanks\"}]";
        assertEquals(200, chat(body).statusCode());
        JsonNode sent = fake.requests().getFirst();
        assertEquals(50, sent.get("max_tokens").asInt());
        JsonNode m = sent.get("messages");
        assertEquals(3, m.size(), "user, assistant, user (the tool result and the next user turn merged): " + m);
        assertEquals("base64", m.at("/0/content/1/source/type").asText());
        assertEquals("image/png", m.at("/0/content/1/source/media_type").asText());
        assertEquals("iVBORw0KGgo=", m.at("/0/content/1/source/data").asText());
        assertEquals("url", m.at("/0/content/2/source/type").asText());
        assertEquals("tool_use", m.at("/1/content/0/type").asText());
        assertEquals("cat", m.at("/1/content/0/input/q").asText());
        assertEquals("tool_result", m.at("/2/content/0/type").asText());
        assertEquals("call_1", m.at("/2/content/0/tool_use_id").asText());
        assertEquals("Thanks", m.at("/2/content/1/text").asText());
    }

    @Test
    void nonStreamedAnswerHasTheChatCompletionShape() {
        HttpResponse<String> res = chat(HELLO);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode c = json(res);
        assertEquals("chat.completion", c.get("object").asText());
        assertEquals("msg_fake01", c.get("id").asText());
        assertTrue(c.get("created").isIntegralNumber());
        assertEquals("claude-sonnet-4-5", c.get("model").asText());
        assertEquals("assistant", c.at("/choices/0/message/role").asText());
        assertEquals("Hello from Claude", c.at("/choices/0/message/content").asText());
        assertEquals("stop", c.at("/choices/0/finish_reason").asText(), "end_turn");
        assertEquals(25, c.at("/usage/prompt_tokens").asInt(), "input 21 + 4 read from the cache");
        assertEquals(9, c.at("/usage/completion_tokens").asInt());
        assertEquals(34, c.at("/usage/total_tokens").asInt());
        assertEquals(4, c.at("/usage/prompt_tokens_details/cached_tokens").asInt());
        assertEquals("claude", res.headers().firstValue("X-Sluice-Provider").orElse(""));
    }

    @Test
    void stopReasonsMapToFinishReasons() {
        fake.then(FakeAnthropic.text("cut", "max_tokens"), FakeAnthropic.text("x", "stop_sequence"));
        assertEquals("length", json(chat(HELLO)).at("/choices/0/finish_reason").asText());
        assertEquals("stop", json(chat(HELLO)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void toolUseBecomesToolCalls() {
        fake.then(FakeAnthropic.toolUse("get_weather", "{\"city\":\"Paris\"}"));
        JsonNode c = json(chat(HELLO));
        assertEquals("tool_calls", c.at("/choices/0/finish_reason").asText());
        JsonNode call = c.at("/choices/0/message/tool_calls/0");
        assertEquals("toolu_01", call.get("id").asText());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.at("/function/name").asText());
        assertEquals("Paris", parse(call.at("/function/arguments").asText()).get("city").asText(),
                     "arguments are a JSON string, as in OpenAI's shape");
    }

    @Test
    void streamedAnswerBecomesOpenAiChunksEndingWithDone() {
        HttpResponse<String> res = chat(HELLO + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> data = Sse.data(res.body());
        assertEquals("[DONE]", data.getLast());
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = parse(d);
            assertEquals("chat.completion.chunk", chunk.get("object").asText(), d);
            assertEquals("msg_fake01", chunk.get("id").asText());
            assertEquals("claude-sonnet-4-5", chunk.get("model").asText());
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            text.append(chunk.at("/choices/0/delta/content").asText(""));
            if (!chunk.at("/choices/0/finish_reason").isNull()) {
                finish = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        assertEquals("assistant", parse(data.getFirst()).at("/choices/0/delta/role").asText());
        assertEquals("Hello from Claude", text.toString());
        assertEquals("stop", finish);
        assertEquals(25, usage.get("prompt_tokens").asInt());
        assertEquals(3, usage.get("completion_tokens").asInt(), "message_delta's output_tokens");
        assertTrue(fake.requests().getFirst().get("stream").asBoolean());
    }

    @Test
    void streamedToolUseBecomesToolCallChunks() {
        fake.then(FakeAnthropic.toolUse("get_weather", "{\"city\":\"Paris\"}"));
        List<String> data = Sse.data(chat(HELLO + ",\"stream\":true").body());
        assertEquals("[DONE]", data.getLast());
        StringBuilder arguments = new StringBuilder();
        String name = null;
        String finish = null;
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode choice = parse(d).at("/choices/0");
            JsonNode call = choice.at("/delta/tool_calls/0");
            if (!call.isMissingNode()) {
                assertEquals(0, call.get("index").asInt());
                if (call.has("id")) {
                    name = call.at("/function/name").asText();
                }
                arguments.append(call.at("/function/arguments").asText(""));
            }
            if (choice.hasNonNull("finish_reason")) {
                finish = choice.get("finish_reason").asText();
            }
        }
        assertEquals("get_weather", name);
        assertEquals("{\"city\":\"Paris\"}", arguments.toString());
        assertEquals("tool_calls", finish);
        assertFalse(data.stream().anyMatch(d -> d.contains("\"usage\"")), "no usage chunk the client did not ask for");
    }

    @Test
    void anthropicErrorsMapToOpenAiErrors() {
        fake.then(FakeAnthropic.error(400, "invalid_request_error", "max_tokens: too large"));
        HttpResponse<String> res = chat(HELLO);
        assertEquals(400, res.statusCode(), res.body());
        assertEquals("upstream_rejected_request", json(res).at("/error/code").asText());
        assertEquals("invalid_request_error", json(res).at("/error/type").asText());
        assertTrue(json(res).at("/error/message").asText().contains("invalid_request_error: max_tokens: too large"), res.body());
        assertEquals(1, fake.requests().size(), "a refused request is not retried");

        fake.reset();
        fake.then(FakeAnthropic.error(529, "overloaded_error", "Overloaded"), FakeAnthropic.error(529, "overloaded_error", "Overloaded"));
        res = chat(HELLO);
        assertEquals(502, res.statusCode(), res.body());
        assertEquals("upstream_error", json(res).at("/error/code").asText());
        assertEquals("server_error", json(res).at("/error/type").asText());
        assertEquals(2, fake.requests().size(), "overloaded is retried");

        fake.reset();
        fake.then(FakeAnthropic.error(429, "rate_limit_error", "slow down"));
        res = chat(HELLO);
        assertEquals(200, res.statusCode(), "rate limited, retried, then served: " + res.body());

        fake.reset();
        fake.then(FakeAnthropic.error(401, "authentication_error", "invalid x-api-key"));
        res = chat(HELLO);
        assertEquals(502, res.statusCode(), res.body());
        assertEquals("upstream_auth_failed", json(res).at("/error/code").asText());
    }

    @Test
    void errorEventMidStreamEndsTheStreamWithAnErrorEvent() {
        fake.then(FakeAnthropic.errorEventMidStream("overloaded_error"));
        HttpResponse<String> res = chat(HELLO + ",\"stream\":true");
        assertEquals(200, res.statusCode());
        List<String> data = Sse.data(res.body());
        assertEquals("Hel", parse(data.get(1)).at("/choices/0/delta/content").asText(), res.body());
        JsonNode error = parse(data.getLast()).get("error");
        assertEquals("upstream_error", error.get("code").asText(), res.body());
        assertTrue(error.get("message").asText().contains("overloaded_error"), res.body());
        assertFalse(data.contains("[DONE]"), "a failed stream does not end as if complete");
    }
}
