package io.sluice.tasks;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/** Column readers the task and podcast stores share: nullable JSON text and timestamps. */
public final class Rows {
    private Rows() {
    }

    /** The stored JSON text as a tree; null for SQL NULL. A value that does not parse is a SQLException. */
    public static JsonNode json(String s) throws SQLException {
        if (s == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON does not parse", e);
        }
    }

    public static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
