package io.sluice.podcasts;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;

/**
 * A checked {@code POST /v1/podcasts} body: a {@code topic} for the model to write about, or the
 * {@code script} itself ("Name: text" lines), exactly two {@code hosts} with a name and a voice, and
 * the target number of {@code lines}. Every problem is a 400 naming the field.
 */
record PodcastRequest(String topic, String script, Host first, Host second, int lines, String model) {
    private static final int MAX_TOPIC = 2000;
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} .'\\-]{0,39}");
    private static final Pattern VOICE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    static PodcastRequest from(JsonNode body, PodcastSettings s) {
        String topic = Fields.optionalText(body, "topic", MAX_TOPIC);
        String script = Fields.optionalText(body, "script", s.maxLines() * (s.maxLineChars() + 50));
        boolean hasTopic = topic != null && !topic.isBlank();
        boolean hasScript = script != null && !script.isBlank();
        if (hasTopic == hasScript) {
            throw ApiException.badRequest(hasTopic ? ErrorCode.INVALID_REQUEST : ErrorCode.MISSING_FIELD,
                    "topic or script: exactly one is required (a topic for the model to write about, or the script itself)");
        }
        JsonNode hosts = body.get("hosts");
        if (hosts == null || !hosts.isArray() || hosts.size() != 2) {
            throw ApiException.badRequest(hosts == null ? ErrorCode.MISSING_FIELD : ErrorCode.INVALID_REQUEST,
                                          "hosts: required, an array of exactly two {\"name\", \"voice\"} objects");
        }
        Host a = host(hosts.get(0), 0);
        Host b = host(hosts.get(1), 1);
        if (a.name().equalsIgnoreCase(b.name())) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "hosts: the two hosts need different names");
        }
        // A script's length is its own (up to lines, when given); a topic's is lines or podcasts.default-lines.
        int lines = lines(body.get("lines"), hasScript ? s.maxLines() : s.defaultLines(), s);
        String model = Fields.optionalText(body, "model", 128);
        model = model == null || model.isBlank() ? s.model() : model;
        if (hasScript) {
            int parsed = new ScriptParser(a, b, s.maxLineChars()).parse(script, lines).size();
            if (parsed == 0) {
                throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "script: no line of it starts with a host's name "
                        + "and a colon (\"" + a.name() + ": ...\" or \"" + b.name() + ": ...\")");
            }
            lines = parsed;
        }
        return new PodcastRequest(hasTopic ? topic.strip() : null, hasScript ? script : null, a, b, lines, model);
    }

    /** The stored form, read back by the worker with {@link #stored}. */
    ObjectNode json() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (topic != null) {
            o.put("topic", topic);
        }
        var hosts = o.putArray("hosts");
        hosts.addObject().put("name", first.name()).put("voice", first.voice());
        hosts.addObject().put("name", second.name()).put("voice", second.voice());
        o.put("lines", lines);
        o.put("model", model);
        return o;
    }

    static PodcastRequest stored(JsonNode o) {
        JsonNode h = o.path("hosts");
        return new PodcastRequest(o.path("topic").isTextual() ? o.get("topic").asText() : null, null,
                                  new Host(h.path(0).path("name").asText(), h.path(0).path("voice").asText()),
                                  new Host(h.path(1).path("name").asText(), h.path(1).path("voice").asText()),
                                  o.path("lines").asInt(), o.path("model").asText());
    }

    ScriptParser parser(PodcastSettings s) {
        return new ScriptParser(first, second, s.maxLineChars());
    }

    /** The client's own script as lines (empty for a topic: the model writes it later). */
    List<ScriptLine> givenScript(PodcastSettings s) {
        return script == null ? List.of() : parser(s).parse(script, lines);
    }

    JsonNode chat() {
        return ScriptWriter.request(model, topic, first, second, lines);
    }

    private static Host host(JsonNode h, int i) {
        String field = "hosts[" + i + "]";
        if (h == null || !h.isObject()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": must be an object with name and voice");
        }
        String name = text(h, field, "name", 40);
        String voice = text(h, field, "voice", 64);
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ".name: 1-40 letters, digits, spaces, '.', "
                                                                     + "'-' or apostrophes, starting with a letter or digit");
        }
        if (!VOICE.matcher(voice).matches()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ".voice: 1-64 letters, digits, '_', '-' or '.'");
        }
        return new Host(name, voice);
    }

    private static String text(JsonNode h, String field, String name, int max) {
        JsonNode n = h.get(name);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, field + "." + name + ": required, a non-empty string");
        }
        if (!n.isTextual() || n.asText().length() > max) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + "." + name + ": a string of at most " + max
                                                                     + " characters");
        }
        return n.asText().strip();
    }

    private static int lines(JsonNode n, int def, PodcastSettings s) {
        if (n == null || n.isNull()) {
            return def;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 2 || n.asInt() > s.maxLines()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "lines: an integer from 2 to " + s.maxLines());
        }
        return n.asInt();
    }
}
