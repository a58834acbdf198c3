package io.sluice.respcache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.Json;
import io.sluice.llm.ChatRequest;
import io.sluice.llm.ChatResult;

/**
 * A cached answer is kept as one {@code chat.completion} JSON (a non-streamed upstream answer
 * as it came, or one built from a streamed answer) and sent back in the shape the request asks
 * for: that JSON, or the same content as {@code chat.completion.chunk} events ending in
 * {@code [DONE]} (role, content and tool calls, the finish reason, the usage chunk when
 * {@code stream_options.include_usage} asked for it). OpenAI's SDKs read either as they would the model's.
 */
final class Replay {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private Replay() {
    }

    /** The completion to keep for a streamed answer: its text, finish reason and usage, under a fresh id. */
    static byte[] completion(ChatRequest chat, ChatResult result) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
        c.put("object", "chat.completion");
        c.put("created", Instant.now().getEpochSecond());
        c.put("model", chat.model());
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", result.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", result.finishReason());
        ObjectNode usage = c.putObject("usage");
        usage.put("prompt_tokens", result.usage().promptTokens());
        usage.put("completion_tokens", result.usage().completionTokens());
        usage.put("total_tokens", result.usage().promptTokens() + result.usage().completionTokens());
        return Json.bytes(c);
    }

    static void json(ServerResponse res, byte[] completion) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(completion);
    }

    /** The whole event stream in one write (it is all known): as a client sees a fast model. */
    static void stream(ServerResponse res, JsonNode completion, boolean includeUsage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        for (JsonNode choice : completion.path("choices")) {
            JsonNode message = choice.path("message");
            ObjectNode delta = Json.MAPPER.createObjectNode().put("role", "assistant");
            delta.set("content", message.path("content").isMissingNode() ? null : message.get("content"));
            if (message.path("tool_calls").isArray()) {
                ArrayNode calls = delta.putArray("tool_calls");
                int i = 0;
                for (JsonNode call : message.get("tool_calls")) {
                    calls.add(((ObjectNode) call.deepCopy()).put("index", i++));
                }
            }
            event(out, chunk(completion, choice.path("index").asInt(), delta, null));
            event(out, chunk(completion, choice.path("index").asInt(), Json.MAPPER.createObjectNode(),
                             choice.path("finish_reason").asText("stop")));
        }
        if (includeUsage && completion.hasNonNull("usage")) {
            ObjectNode usage = header(completion);
            usage.putArray("choices");
            usage.set("usage", completion.get("usage"));
            event(out, usage);
        }
        out.writeBytes(DONE);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(out.toByteArray());
    }

    private static ObjectNode chunk(JsonNode completion, int index, ObjectNode delta, String finishReason) {
        ObjectNode chunk = header(completion);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    private static ObjectNode header(JsonNode completion) {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", completion.path("id").asText());
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", completion.path("created").asLong());
        chunk.put("model", completion.path("model").asText());
        if (completion.has("system_fingerprint")) {
            chunk.set("system_fingerprint", completion.get("system_fingerprint"));
        }
        return chunk;
    }

    private static void event(ByteArrayOutputStream out, JsonNode chunk) {
        out.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(Json.bytes(chunk));
        out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    static JsonNode parse(byte[] completion) {
        try {
            return Json.MAPPER.readTree(completion);
        } catch (IOException e) {
            return null;
        }
    }
}
