package io.sluice.http;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What every JSON body must satisfy before any handler sees it, so no route can forget it: no NUL
 * character in a string or a field name (PostgreSQL stores neither in text nor in jsonb, and the
 * insert would fail as a 500), and no number beyond what a field can hold (an integer outside 64
 * bits, a float that overflowed to infinity). The 400 names the field by its path, e.g.
 * {@code messages[2].content}. Field-specific ranges stay with {@link Fields} and the validators;
 * a field whose validator has a code of its own keeps that code here ({@link #codeFor}), so the
 * answer is the same whichever check meets the value first.
 */
final class BodyCheck {
    private BodyCheck() {
    }

    /** Throws a 400 {@code invalid_request} naming the first offending field. */
    static void check(JsonNode body) {
        if (!valid(body)) {
            walk(body, "");   // again, building the paths, to name the first offending field
        }
    }

    /** The same checks without building a path string per field: the common, valid body costs no strings. */
    private static boolean valid(JsonNode n) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getKey().indexOf('\0') >= 0 || !valid(e.getValue())) {
                        return false;
                    }
                }
                return true;
            }
            case ARRAY -> {
                for (int i = 0; i < n.size(); i++) {
                    if (!valid(n.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            case STRING -> {
                return n.textValue().indexOf('\0') < 0;
            }
            case NUMBER -> {
                return n.isIntegralNumber() ? n.canConvertToLong() : Double.isFinite(n.doubleValue());
            }
            default -> {
                return true;
            }
        }
    }

    private static void walk(JsonNode n, String path) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String name = e.getKey();
                    String at = path.isEmpty() ? name : path + "." + name;
                    if (name.indexOf('\0') >= 0) {
                        throw invalid(at, "a field name must not contain NUL characters (U+0000)");
                    }
                    walk(e.getValue(), at);
                }
            }
            case ARRAY -> {
                for (int i = 0; i < n.size(); i++) {
                    walk(n.get(i), path + "[" + i + "]");
                }
            }
            case STRING -> {
                if (n.textValue().indexOf('\0') >= 0) {
                    throw invalid(path, "must not contain NUL characters (U+0000)");
                }
            }
            case NUMBER -> {
                if (n.isIntegralNumber() ? !n.canConvertToLong() : !Double.isFinite(n.doubleValue())) {
                    throw invalid(path, "number out of range");
                }
            }
            default -> {
                // booleans and nulls cannot be wrong here
            }
        }
    }

    private static ApiException invalid(String path, String problem) {
        // A field name is the client's text: echo it printable and short.
        return ApiException.badRequest(codeFor(path), (path.isEmpty() ? "body" : Text.clip(path, 120)) + ": " + problem);
    }

    /** The chat validators' own codes: message text {@code invalid_content}, a role {@code invalid_role}, a token limit {@code invalid_max_tokens}. */
    static ErrorCode codeFor(String path) {
        String leaf = path.substring(path.lastIndexOf('.') + 1);
        int index = leaf.indexOf('[');
        String name = index < 0 ? leaf : leaf.substring(0, index);
        if (name.equals("max_tokens") || name.equals("max_completion_tokens")) {
            return ErrorCode.INVALID_MAX_TOKENS;
        }
        if (path.startsWith("messages[") && name.equals("role")) {
            return ErrorCode.INVALID_ROLE;
        }
        if (path.equals("message") || path.startsWith("message[")
                || (path.startsWith("messages[") && (path.contains(".content") || name.equals("text")))) {
            return ErrorCode.INVALID_CONTENT;
        }
        return ErrorCode.INVALID_REQUEST;
    }
}
