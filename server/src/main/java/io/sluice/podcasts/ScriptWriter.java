package io.sluice.podcasts;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.llm.Completer;

/**
 * Has the chat model write a two-host script on the topic: a fixed prompt through {@link Completer}
 * (same routing, provider bulkhead and usage record as a chat), then {@link ScriptParser#parseLoosely}.
 */
final class ScriptWriter {
    private static final String SYSTEM = """
            You write scripts for a podcast with two hosts, %1$s and %2$s. Write exactly %3$d lines of \
            dialogue, alternating between the hosts and starting with %1$s. Put each line on its own line, \
            as the speaker's name, a colon and what they say, for example "%1$s: Welcome to the show." \
            Write only the dialogue: no title, no stage directions, no sound effects.""";
    private static final int TOKENS_PER_LINE = 80;

    private final Completer completer;

    ScriptWriter(Completer completer) {
        this.completer = completer;
    }

    /** A chat request for the script, checked when the podcast is submitted. */
    static JsonNode request(String model, String topic, Host a, Host b, int lines) {
        ObjectNode chat = Json.MAPPER.createObjectNode();
        chat.put("model", model);
        chat.put("stream", false);
        chat.put("max_tokens", lines * TOKENS_PER_LINE);
        ArrayNode messages = chat.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM.formatted(a.name(), b.name(), lines));
        messages.addObject().put("role", "user").put("content", "The topic of this episode: " + topic);
        return chat;
    }

    /** Charged to {@code owner} and {@code keyId}, who submitted the podcast (and were admitted then). */
    List<ScriptLine> write(JsonNode chat, ScriptParser parser, int lines, String requestId, String owner, String keyId) {
        JsonNode completion = completer.complete(chat, requestId, owner, keyId);
        String text = completion.at("/choices/0/message/content").asText("");
        List<ScriptLine> script = parser.parseLoosely(text, lines);
        if (script.isEmpty()) {
            throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "the model wrote no script (an empty answer)");
        }
        return script;
    }
}
