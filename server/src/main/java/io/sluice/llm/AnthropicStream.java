package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;

/**
 * Reads Anthropic's server-sent events ({@code event:} and {@code data:} lines) and hands on
 * OpenAI {@code chat.completion.chunk}s: {@code message_start} → a role chunk, text deltas →
 * content chunks, {@code tool_use} blocks and their {@code input_json_delta}s → tool_calls chunks,
 * {@code message_delta} → the finish_reason chunk, {@code message_stop} → the usage chunk (when
 * asked for) and the end ({@code [DONE]} to the client). {@code ping} and thinking deltas are
 * dropped; an {@code error} event fails the call like the status its type stands for. A stream
 * that ends without {@code message_stop} was cut short.
 */
final class AnthropicStream {
    private final Provider.Delivery delivery;
    private final String provider;
    private final boolean includeUsage;
    private final long created;
    private String id = "";
    private String model = "";
    private int input;
    private int cacheRead;
    private int cacheWrite;
    private int output;
    private int toolCalls;        // tool_use blocks seen: OpenAI numbers tool calls from 0
    private int toolIndex = -1;   // the OpenAI index of the block being streamed, -1 when it is not a tool_use

    private AnthropicStream(Provider.Delivery delivery, String provider, boolean includeUsage) {
        this.delivery = delivery;
        this.provider = provider;
        this.includeUsage = includeUsage;
        this.created = System.currentTimeMillis() / 1000;
    }

    static void read(InputStream in, int maxLine, Provider.Delivery delivery, String provider, boolean includeUsage)
            throws IOException, InterruptedException, UpstreamException {
        new AnthropicStream(delivery, provider, includeUsage).read(in, maxLine);
    }

    private void read(InputStream in, int maxLine) throws IOException, InterruptedException, UpstreamException {
        SseLines lines = new SseLines(in, maxLine, provider);
        StringBuilder data = null;
        String line;
        while ((line = lines.next()) != null) {
            if (line.isEmpty()) {
                if (data != null && dispatch(parse(data.toString()))) {
                    while (lines.next() != null) {
                        // nothing follows message_stop but the end of the body: read it so the connection is reused
                    }
                    return;
                }
                data = null;
            } else if (line.startsWith("data:")) {
                String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                if (data.length() > maxLine) {
                    throw UpstreamException.invalid(provider, "an event larger than " + maxLine + " characters");
                }
            }
            // "event:" lines repeat the data's own "type"; the type in the data decides
        }
        if (data == null || !dispatch(parse(data.toString()))) {
            throw UpstreamException.invalid(provider, "the stream ended without message_stop");
        }
    }

    private JsonNode parse(String data) throws UpstreamException {
        try {
            JsonNode event = Json.MAPPER.readTree(data);
            if (event != null && event.isObject() && event.path("type").isTextual()) {
                return event;
            }
        } catch (IOException e) {
            // below
        }
        throw UpstreamException.invalid(provider, "an event that is not a Messages API event");
    }

    /** Returns true at message_stop. */
    private boolean dispatch(JsonNode event) throws InterruptedException, UpstreamException {
        switch (event.get("type").asText()) {
            case "message_start" -> {
                JsonNode m = event.path("message");
                id = m.path("id").asText();
                model = m.path("model").asText();
                JsonNode u = m.path("usage");
                input = u.path("input_tokens").asInt();
                cacheRead = u.path("cache_read_input_tokens").asInt();
                cacheWrite = u.path("cache_creation_input_tokens").asInt();
                output = u.path("output_tokens").asInt();
                ObjectNode delta = Json.MAPPER.createObjectNode().put("role", "assistant").put("content", "");
                delivery.chunk(chunk(delta, null));
            }
            case "content_block_start" -> {
                JsonNode block = event.path("content_block");
                toolIndex = -1;
                if ("tool_use".equals(block.path("type").asText())) {
                    toolIndex = toolCalls++;
                    ObjectNode delta = Json.MAPPER.createObjectNode();
                    ObjectNode call = delta.putArray("tool_calls").addObject().put("index", toolIndex)
                            .put("id", block.path("id").asText()).put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText()).put("arguments", "");
                    delivery.chunk(chunk(delta, null));
                } else if ("text".equals(block.path("type").asText()) && !block.path("text").asText().isEmpty()) {
                    delivery.chunk(chunk(Json.MAPPER.createObjectNode().put("content", block.path("text").asText()), null));
                }
            }
            case "content_block_delta" -> {
                JsonNode d = event.path("delta");
                switch (d.path("type").asText()) {
                    case "text_delta" -> delivery.chunk(chunk(Json.MAPPER.createObjectNode().put("content", d.path("text").asText()), null));
                    case "input_json_delta" -> {
                        if (toolIndex >= 0) {
                            ObjectNode delta = Json.MAPPER.createObjectNode();
                            delta.putArray("tool_calls").addObject().put("index", toolIndex)
                                    .putObject("function").put("arguments", d.path("partial_json").asText());
                            delivery.chunk(chunk(delta, null));
                        }
                    }
                    default -> {
                        // thinking_delta, signature_delta, citations: nothing in OpenAI's chunk shape
                    }
                }
            }
            case "message_delta" -> {
                JsonNode u = event.path("usage");
                if (u.has("output_tokens")) {
                    output = u.get("output_tokens").asInt();
                }
                String reason = AnthropicAnswer.finishReason(event.path("delta").path("stop_reason").textValue());
                if (reason != null) {
                    delivery.chunk(chunk(Json.MAPPER.createObjectNode(), reason));
                }
            }
            case "message_stop" -> {
                if (includeUsage) {
                    ObjectNode c = base();
                    c.putArray("choices");
                    c.set("usage", AnthropicAnswer.usage(input, cacheRead, cacheWrite, output));
                    delivery.chunk(c.toString());
                }
                delivery.done();
                return true;
            }
            case "error" -> {
                JsonNode e = event.path("error");
                String type = e.path("type").asText("api_error");
                throw UpstreamException.status(provider, AnthropicAnswer.status(type), type + ": " + e.path("message").asText(""), null);
            }
            default -> {
                // ping, content_block_stop and event types added later
            }
        }
        return false;
    }

    private ObjectNode base() {
        return Json.MAPPER.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
    }

    private String chunk(ObjectNode delta, String finishReason) {
        ObjectNode c = base();
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return c.toString();
    }
}
