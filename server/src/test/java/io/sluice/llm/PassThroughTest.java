package io.sluice.llm;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A non-streamed answer reaches the client exactly as the upstream wrote it (key order, spacing,
 * escapes and fields Sluice does not know), while usage is still read from it.
 */
class PassThroughTest {
    /** Usage before choices, odd spacing, an escaped character, a field no SDK version of ours knows. */
    private static final String UPSTREAM_BODY = "{ \"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"upstream-model-2025\",\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":4,\"total_tokens\":21,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0}},\"system_fingerprint\":null,\"service_tier\":\"default\",\n"
            + " \"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"caf\\u00e9 \\\"ok\\\"\",\"refusal\":null},"
            + "\"logprobs\":null,\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"other\"},"
            + "\"finish_reason\":\"length\"}]}";

    @Test
    void nonStreamedBodyIsRelayedByteForByteAndUsageIsReadFromIt() {
        try (FakeUpstream fake = FakeUpstream.start();
             TestServer server = TestServer.start(Map.of(
                     "llm.providers.fake.type", "openai-compatible",
                     "llm.providers.fake.base-url", fake.baseUrl(),
                     "llm.models.fake-model.route", "fake:upstream-model"))) {
            fake.byDefault((f, ex, req) -> {
                byte[] body = UPSTREAM_BODY.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            });
            String id = "pass-" + UUID.randomUUID();
            HttpResponse<String> res = ChatCompletionsTest.post(server, "/v1/chat/completions",
                    "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", id);
            assertEquals(200, res.statusCode(), res.body());
            assertEquals(UPSTREAM_BODY, res.body(), "the upstream's bytes, unchanged");
            // The client's bytes went upstream spliced, not re-serialised: the model swapped, stream:false added.
            JsonNode sent = fake.requests().getLast();
            assertEquals("upstream-model", sent.path("model").asText());
            assertFalse(sent.path("stream").asBoolean(true));
            assertEquals("hi", sent.path("messages").path(0).path("content").asText());
            await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(id).isEmpty());
            assertEquals(new UsageRows.Row("", null, "fake-model", "fake", 17, 4, false, "complete"),
                         UsageRows.forRequest(id).getFirst());
        }
    }

    @Test
    void scanReadsTheFirstChoiceAndTheUsageOnly() {
        CompletionScan scan = CompletionScan.of(UPSTREAM_BODY.getBytes(StandardCharsets.UTF_8));
        assertEquals(new CompletionScan("café \"ok\"", "stop", 17, 4, null), scan);

        CompletionScan parts = CompletionScan.of(("{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                + "{\"type\":\"image_url\",\"image_url\":{}},{\"type\":\"text\",\"text\":\"b\"}]},\"finish_reason\":null}]}")
                                                         .getBytes(StandardCharsets.UTF_8));
        assertEquals(new CompletionScan("ab", null, null, null, null), parts, "content parts; no usage sent");

        assertEquals("malformed JSON", problem("not json"));
        assertEquals("not a JSON object", problem("[1,2]"));
        assertEquals("an empty body", problem(""));
        assertEquals("an empty body", problem(" \r\n"));
        assertEquals("HTML, not JSON", problem("<html><body>502 Bad Gateway</body></html>"));
        assertEquals("malformed JSON", problem("{\"choices\":[{\"message\":{\"content\":\"cut"));
        assertEquals("malformed JSON", problem("{\"choices\":[]} trailing"));
        assertEquals("a JSON object without choices", problem("{\"id\":\"x\",\"object\":\"chat.completion\"}"));
        assertEquals("an error object with status 200", problem("{\"error\":{\"message\":\"overloaded\"}}"));
    }

    @Test
    void theUpstreamGetsTheClientsBytesWithItsModelWhereNothingElseChanges() {
        assertEquals("{\"stream\":false, \"model\" : \"up/m\\\"1\", \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}],\"x\":{\"model\":1}}",
                     splice("{ \"model\" : \"fast\", \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}],\"x\":{\"model\":1}}", "up/m\"1"));
        assertEquals("{\"messages\":[],\"stream\":false,\"model\":\"é\",\"n\":1}",
                     splice("{\"messages\":[],\"stream\":false,\"model\":\"long-model-name\",\"n\":1}", "é"));
        // What the tree path must handle: a stream flag to rewrite, stream_options to drop, a repeated or odd model.
        assertNull(UpstreamBody.splice(bytes("{\"model\":\"a\",\"stream\":null}"), "b"));
        assertNull(UpstreamBody.splice(bytes("{\"model\":\"a\",\"stream_options\":{}}"), "b"));
        assertNull(UpstreamBody.splice(bytes("{\"model\":\"a\",\"model\":\"c\"}"), "b"));
        assertNull(UpstreamBody.splice(bytes("{\"model\":1}"), "b"));
        assertNull(UpstreamBody.splice(bytes("{\"messages\":[]}"), "b"));
        assertNull(UpstreamBody.splice(bytes("{\"model\":\"a\""), "b"));
    }

    private static String splice(String raw, String model) {
        return new String(UpstreamBody.splice(bytes(raw), model), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String problem(String body) {
        return CompletionScan.of(body.getBytes(StandardCharsets.UTF_8)).problem();
    }
}
