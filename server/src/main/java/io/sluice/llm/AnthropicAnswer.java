package io.sluice.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;

/**
 * Anthropic's answers in OpenAI's shape: a whole {@code message} as a {@code chat.completion}, and
 * the pieces both answers share: stop reasons, usage, and error types as the HTTP status OpenAI (and
 * {@link UpstreamException#status}) would give them.
 */
final class AnthropicAnswer {
    private AnthropicAnswer() {
    }

    /** end_turn and stop_sequence → stop, max_tokens → length, tool_use → tool_calls, refusal → content_filter. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";   // end_turn, stop_sequence, pause_turn
        };
    }

    /** Anthropic's input tokens exclude cached ones; OpenAI's prompt_tokens include them (as cached_tokens). */
    static ObjectNode usage(int input, int cacheRead, int cacheWrite, int output) {
        int prompt = input + cacheRead + cacheWrite;
        ObjectNode u = Json.MAPPER.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", output)
                .put("total_tokens", prompt + output);
        u.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
        return u;
    }

    /** The status an Anthropic error type stands for (an error event in a stream has no status line of its own). */
    static int status(String errorType) {
        return switch (errorType) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "overloaded_error" -> 529;
            default -> 500;   // api_error and anything new
        };
    }

    /** {@code "overloaded_error: Overloaded"} from Anthropic's error body, or "" when it is not one. */
    static String errorDetail(byte[] body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            if (!error.isObject()) {
                return "";
            }
            return error.path("type").asText("error") + ": " + error.path("message").asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** A whole Messages API answer as a chat.completion; null when the bytes are not a message. */
    static byte[] completion(byte[] message, long created) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(message);
        } catch (IOException e) {
            return null;
        }
        if (m == null || !"message".equals(m.path("type").asText()) || !m.path("content").isArray()) {
            return null;
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("id", m.path("id").asText()).put("object", "chat.completion")
                .put("created", created).put("model", m.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode calls = null;
        for (JsonNode block : m.get("content")) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    if (calls == null) {
                        calls = Json.MAPPER.createArrayNode();
                    }
                    ObjectNode call = calls.addObject().put("id", block.path("id").asText()).put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText())
                            .put("arguments", block.path("input").isMissingNode() ? "{}" : block.get("input").toString());
                }
                default -> {
                    // thinking and other block types have no place in a chat.completion message
                }
            }
        }
        if (text.isEmpty() && calls != null) {
            msg.putNull("content");
        } else {
            msg.put("content", text.toString());
        }
        if (calls != null) {
            msg.set("tool_calls", calls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(m.path("stop_reason").textValue()));
        JsonNode u = m.path("usage");
        out.set("usage", usage(u.path("input_tokens").asInt(), u.path("cache_read_input_tokens").asInt(),
                               u.path("cache_creation_input_tokens").asInt(), u.path("output_tokens").asInt()));
        return Json.bytes(out);
    }
}
