package io.sluice.auth;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;

/** Reads a key's scope fields from a create or PATCH body; each bad value is a 400 naming its field. */
final class KeyFields {
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._:/@*-]{1,100}");
    private static final int MAX_MODELS = 50;
    private static final int MAX_METADATA_CHARS = 4096;
    private static final int MAX_PER_MINUTE = 1_000_000_000;

    private KeyFields() {
    }

    /** The scope of a new key: absent fields are none. */
    static ApiKeyStore.Scope scope(JsonNode body) {
        OffsetDateTime expires = expiresAt(body);
        if (expires != null && !expires.isAfter(OffsetDateTime.now())) {
            throw bad("expires_at: must be in the future, got " + expires);
        }
        JsonNode metadata = metadata(body);
        return new ApiKeyStore.Scope(models(body), expires, perMinute(body, "rpm"), perMinute(body, "tpm"),
                                     metadata == null ? null : Json.write(metadata));
    }

    /** A PATCH: a field present as null clears it, an absent one stays as it is. */
    static ApiKeyStore.Change change(JsonNode body) {
        Boolean disabled = body.has("disabled") && !body.get("disabled").isNull() ? Fields.flag(body, "disabled") : null;
        ApiKeyStore.Change c = new ApiKeyStore.Change(Fields.optionalText(body, "name", 200),
                models(body), cleared(body, "models"), expiresAt(body), cleared(body, "expires_at"),
                perMinute(body, "rpm"), cleared(body, "rpm"), perMinute(body, "tpm"), cleared(body, "tpm"),
                metadata(body), disabled);
        return c;
    }

    private static boolean cleared(JsonNode body, String field) {
        return body.has(field) && body.get(field).isNull();
    }

    private static List<String> models(JsonNode body) {
        JsonNode n = body.get("models");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray() || n.isEmpty() || n.size() > MAX_MODELS) {
            throw bad("models: must be an array of 1 to " + MAX_MODELS + " model names or globs (e.g. \"gpt-4o*\")");
        }
        List<String> globs = new ArrayList<>();
        for (JsonNode g : n) {
            if (!g.isTextual() || !GLOB.matcher(g.asText()).matches()) {
                throw bad("models: each entry is a model name or glob of letters, digits and . _ : / @ - * (at most 100 characters)");
            }
            globs.add(g.asText());
        }
        return globs;
    }

    private static OffsetDateTime expiresAt(JsonNode body) {
        String s = Fields.optionalText(body, "expires_at", 64);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            throw bad("expires_at: must be an ISO-8601 date-time with an offset, such as 2030-01-31T00:00:00Z");
        }
    }

    private static Integer perMinute(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > MAX_PER_MINUTE) {
            throw bad(field + ": must be a whole number from 1 to " + MAX_PER_MINUTE + " (per minute)");
        }
        return n.asInt();
    }

    private static JsonNode metadata(JsonNode body) {
        JsonNode m = Fields.optionalObject(body, "metadata");
        if (m != null && Json.write(m).length() > MAX_METADATA_CHARS) {
            throw bad("metadata: at most " + MAX_METADATA_CHARS + " characters of JSON");
        }
        return m;
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest(ErrorCode.INVALID_REQUEST, message);
    }
}
