package io.sluice.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated chat completion request: the client's JSON object (passed upstream as it came, so
 * parameters Sluice does not know still reach the model) and the few facts Sluice acts on.
 *
 * @param model        the public model name the client asked for
 * @param body         the request object; never modified, copied per upstream attempt
 * @param stream       whether the client asked for server-sent events
 * @param includeUsage whether the client asked for the final usage chunk ({@code stream_options.include_usage})
 * @param user         OpenAI's {@code user} field or the session's user, for usage records; may be empty
 * @param promptChars  characters of message text, for estimates when the upstream reports no usage
 * @param raw          the bytes {@code body} was parsed from, or null; never modified ({@link UpstreamBody})
 */
public record ChatRequest(String model, ObjectNode body, boolean stream, boolean includeUsage, String user, int promptChars,
                          byte[] raw) {

    /** A request built in the server (a session's turn, a task): no client bytes to pass on. */
    public ChatRequest(String model, ObjectNode body, boolean stream, boolean includeUsage, String user, int promptChars) {
        this(model, body, stream, includeUsage, user, promptChars, null);
    }

    /** The same request, with the client's bytes it was parsed from (sent upstream as they are where they can be). */
    public ChatRequest withRaw(byte[] bytes) {
        return new ChatRequest(model, body, stream, includeUsage, user, promptChars, bytes);
    }

    /**
     * The body for one upstream attempt: the provider's model name, the stream flag and, when
     * streaming, {@code include_usage} so usage can be recorded even if the client did not ask for it.
     */
    public ObjectNode upstreamBody(String upstreamModel) {
        ObjectNode copy = body.deepCopy();
        copy.put("model", upstreamModel);
        copy.put("stream", stream);
        if (stream) {
            copy.putObject("stream_options").put("include_usage", true);
        } else {
            copy.remove("stream_options");
        }
        return copy;
    }

    /** The text of a message's content: a string, or the text parts of an OpenAI content-parts array. */
    public static String text(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                sb.append(part.path("text").asText());
            }
        }
        return sb.toString();
    }
}
