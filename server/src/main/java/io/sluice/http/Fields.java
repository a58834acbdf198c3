package io.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads fields of a JSON request body with a 400 that names the field: {@code missing_field} when a
 * required one is absent, null or blank; {@code invalid_request} when a field has the wrong JSON
 * type, is too long or carries a NUL character (PostgreSQL cannot store one in text).
 */
public final class Fields {
    private Fields() {
    }

    /** A required, non-blank string of at most {@code max} characters. */
    public static String requiredText(JsonNode body, String field, int max) {
        String s = optionalText(body, field, max);
        if (s == null || s.isBlank()) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, field + ": required, a non-empty string");
        }
        return s;
    }

    /** A string of at most {@code max} characters, or null when absent or null. */
    public static String optionalText(JsonNode body, String field, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": must be a string, got " + kind(n));
        }
        String s = n.asText();
        if (s.length() > max) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": at most " + max + " characters, got " + s.length());
        }
        if (s.indexOf('\0') >= 0) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": must not contain NUL characters");
        }
        return s;
    }

    /** An optional boolean: absent or null is false; anything but true or false is a 400. */
    public static boolean flag(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": must be true or false, got " + kind(n));
        }
        return n.asBoolean();
    }

    /** An optional JSON object; absent or null gives null. */
    public static JsonNode optionalObject(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, field + ": must be a JSON object, got " + kind(n));
        }
        return n;
    }

    /** The JSON type of a value, for a message; never the value itself. */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }
}
