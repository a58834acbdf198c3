package io.sluice.respcache;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.llm.ChatRequest;

/**
 * The cache keys of a chat request, from a canonical form of its JSON (object keys sorted, numbers
 * by value, so {@code 0} and {@code 0.0} or a different key order give the same key). Every field
 * takes part except those that do not change the answer: {@code stream}, {@code stream_options}
 * and {@code user} (the owner is part of the key instead, unless the scope is global).
 */
final class CacheKeys {
    private static final Set<String> IGNORED = Set.of("stream", "stream_options", "user");

    private CacheKeys() {
    }

    /** The exact entry's key: the owner and the whole canonical request. */
    static byte[] exact(String owner, JsonNode body) {
        MessageDigest d = sha256();
        text(d, owner);
        canonical(d, body, true);
        return d.digest();
    }

    /**
     * The semantic bucket: owner, model, every parameter and every message but the last user
     * message, whose embedding is then compared within the bucket. Null when the conversation does
     * not end with a user message (a tool result, say): no semantic look-up for it.
     */
    static byte[] bucket(String owner, JsonNode body) {
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty() || !"user".equals(messages.get(messages.size() - 1).path("role").asText())) {
            return null;
        }
        MessageDigest d = sha256();
        text(d, "semantic");
        text(d, owner);
        List<String> names = fieldNames(body);
        for (String name : names) {
            if (!IGNORED.contains(name) && !name.equals("messages")) {
                text(d, name);
                canonical(d, body.get(name), false);
            }
        }
        for (int i = 0; i < messages.size() - 1; i++) {
            canonical(d, messages.get(i), false);
        }
        return d.digest();
    }

    /**
     * The question a semantic look-up embeds: the last user message lower-cased, its spaces
     * collapsed and its closing punctuation dropped. The built-in model tells case and a final
     * '?' apart: "What's the capital of France?" / "what is the capital city of France" score 0.87
     * as written and 0.94 normalized (unrelated questions stay far below: 0.12 for a bread recipe).
     */
    static String question(JsonNode body) {
        JsonNode messages = body.path("messages");
        String text = ChatRequest.text(messages.get(messages.size() - 1).path("content"));
        return text.replaceAll("\\s+", " ").replaceAll("[\\s?!.]+$", "").strip().toLowerCase(Locale.ROOT);
    }

    static String hex(byte[] key) {
        return HexFormat.of().formatHex(key);
    }

    private static void canonical(MessageDigest d, JsonNode n, boolean top) {
        if (n.isObject()) {
            d.update((byte) '{');
            for (String name : fieldNames(n)) {
                if (top && IGNORED.contains(name)) {
                    continue;
                }
                text(d, name);
                canonical(d, n.get(name), false);
            }
            d.update((byte) '}');
        } else if (n.isArray()) {
            d.update((byte) '[');
            for (JsonNode item : n) {
                canonical(d, item, false);
            }
            d.update((byte) ']');
        } else if (n.isNumber()) {
            d.update((byte) '#');
            BigDecimal v = n.decimalValue();
            text(d, v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString());
        } else if (n.isTextual()) {
            d.update((byte) '"');
            text(d, n.asText());
        } else {
            text(d, n.toString());   // true, false, null
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>(n.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            names.add(it.next().getKey());
        }
        names.sort(null);
        return names;
    }

    /** Length-prefixed, so no two different sequences of strings digest alike. */
    private static void text(MessageDigest d, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        d.update((byte) (b.length >>> 24));
        d.update((byte) (b.length >>> 16));
        d.update((byte) (b.length >>> 8));
        d.update((byte) b.length);
        d.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
