package io.sluice.llm;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;

/**
 * An OpenAI chat request as Anthropic's Messages API body: system and developer messages become
 * {@code system}; user, assistant and tool messages become alternating user/assistant turns (tool
 * results are user turns of {@code tool_result} blocks, an assistant's tool calls {@code tool_use}
 * blocks; consecutive turns of one role are merged, as the API requires); image parts become image
 * blocks (base64 from a data URL, else by URL); {@code tools}, {@code tool_choice}, {@code stop},
 * {@code temperature} (capped at Anthropic's 1), {@code top_p}, {@code user} and {@code max_tokens}
 * ({@code max_completion_tokens}, else the provider's default: Anthropic requires it) carry over.
 */
final class AnthropicRequest {
    private AnthropicRequest() {
    }

    static ObjectNode from(ObjectNode openAi, boolean stream, int defaultMaxTokens) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("model", openAi.path("model").asText());
        JsonNode maxTokens = openAi.hasNonNull("max_completion_tokens") ? openAi.get("max_completion_tokens") : openAi.get("max_tokens");
        out.put("max_tokens", maxTokens != null && maxTokens.canConvertToInt() ? maxTokens.asInt() : defaultMaxTokens);
        StringBuilder system = new StringBuilder();
        ArrayNode messages = out.putArray("messages");
        for (JsonNode m : openAi.path("messages")) {
            String role = m.path("role").asText();
            switch (role) {
                case "system", "developer" -> system.append(system.isEmpty() ? "" : "\n\n").append(ChatRequest.text(m.get("content")));
                case "assistant" -> turn(messages, "assistant").addAll(assistant(m));
                case "tool", "function" -> turn(messages, "user").add(toolResult(m));
                default -> turn(messages, "user").addAll(content(m.get("content")));
            }
        }
        if (!system.isEmpty()) {
            out.put("system", system.toString());
        }
        JsonNode stop = openAi.get("stop");
        if (stop != null && stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.asText());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop);
        }
        if (openAi.path("temperature").isNumber()) {
            out.put("temperature", Math.min(1.0, openAi.get("temperature").asDouble()));
        }
        if (openAi.path("top_p").isNumber()) {
            out.put("top_p", openAi.get("top_p").asDouble());
        }
        if (openAi.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", openAi.get("user").asText());
        }
        tools(openAi, out);
        out.put("stream", stream);
        return out;
    }

    /** The content array of the last turn if it has this role, else of a new turn. */
    private static ArrayNode turn(ArrayNode messages, String role) {
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.path("role").asText().equals(role)) {
            return (ArrayNode) last.get("content");
        }
        ObjectNode m = messages.addObject().put("role", role);
        return m.putArray("content");
    }

    private static ArrayNode content(JsonNode content) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        if (content == null || content.isNull()) {
            return blocks;
        }
        if (content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.asText());
            return blocks;
        }
        for (JsonNode part : content) {
            switch (part.path("type").asText()) {
                case "text" -> blocks.addObject().put("type", "text").put("text", part.path("text").asText());
                case "image_url" -> blocks.add(image(part.path("image_url").path("url").asText(part.path("image_url").asText())));
                default -> {
                    // audio, files: no Messages API equivalent here; left out rather than sent as something else
                }
            }
        }
        return blocks;
    }

    /** {@code data:image/png;base64,...} as a base64 source, anything else as a URL source. */
    private static ObjectNode image(String url) {
        ObjectNode block = Json.MAPPER.createObjectNode().put("type", "image");
        int comma = url.indexOf(',');
        if (url.startsWith("data:") && comma > 0 && url.substring(0, comma).endsWith(";base64")) {
            String mediaType = url.substring(5, url.indexOf(';'));
            block.putObject("source").put("type", "base64").put("media_type", mediaType).put("data", url.substring(comma + 1));
        } else {
            block.putObject("source").put("type", "url").put("url", url);
        }
        return block;
    }

    private static ArrayNode assistant(JsonNode m) {
        ArrayNode blocks = content(m.get("content"));
        for (JsonNode call : m.path("tool_calls")) {
            ObjectNode use = blocks.addObject().put("type", "tool_use").put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText());
            use.set("input", arguments(call.path("function").path("arguments").asText("{}")));
        }
        return blocks;
    }

    private static ObjectNode toolResult(JsonNode m) {
        ObjectNode block = Json.MAPPER.createObjectNode().put("type", "tool_result")
                .put("tool_use_id", m.path("tool_call_id").asText(m.path("name").asText()));
        block.put("content", ChatRequest.text(m.get("content")));
        return block;
    }

    /** A tool call's arguments (a JSON string in OpenAI's shape) as the object Anthropic expects. */
    private static JsonNode arguments(String json) {
        try {
            JsonNode parsed = Json.MAPPER.readTree(json.isBlank() ? "{}" : json);
            return parsed.isObject() ? parsed : Json.MAPPER.createObjectNode();
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    private static void tools(ObjectNode openAi, ObjectNode out) {
        if (!openAi.path("tools").isArray() || openAi.get("tools").isEmpty()) {
            return;   // a tool_choice without tools is refused by the API
        }
        {
            ArrayNode tools = out.putArray("tools");
            for (JsonNode t : openAi.get("tools")) {
                JsonNode f = t.path("function");
                ObjectNode tool = tools.addObject().put("name", f.path("name").asText());
                if (f.hasNonNull("description")) {
                    tool.put("description", f.get("description").asText());
                }
                tool.set("input_schema", f.path("parameters").isObject() ? f.get("parameters")
                        : Json.MAPPER.createObjectNode().put("type", "object"));
            }
        }
        JsonNode choice = openAi.get("tool_choice");
        if (choice == null || choice.isNull()) {
            return;
        }
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "none" -> out.putObject("tool_choice").put("type", "none");
                case "required" -> out.putObject("tool_choice").put("type", "any");
                default -> out.putObject("tool_choice").put("type", "auto");
            }
        } else if (choice.path("function").hasNonNull("name")) {
            out.putObject("tool_choice").put("type", "tool").put("name", choice.path("function").path("name").asText());
        }
    }
}
