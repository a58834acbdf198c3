package io.sluice.tasks;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A task as stored: the request it runs, where it stands, and its outcome. {@code owner} and
 * {@code keyId} (null: submitted with a login token) are who pays for its LLM call.
 */
public record Task(UUID id,
                   String owner,
                   String keyId,
                   String kind,
                   JsonNode request,
                   Status status,
                   JsonNode result,
                   JsonNode error,
                   int attempts,
                   Instant createdAt,
                   Instant startedAt,
                   Instant finishedAt) {

    public enum Status {
        QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public String db() {
            return name().toLowerCase();
        }

        public boolean finished() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }

        static Status of(String db) {
            return valueOf(db.toUpperCase());
        }
    }

    /** The public JSON view (GET /v1/tasks/{id}). */
    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task_id", id.toString());
        m.put("object", "task");
        m.put("kind", kind);
        m.put("status", status.db());
        m.put("attempts", attempts);
        m.put("result", result);
        m.put("error", error);
        m.put("created_at", createdAt.getEpochSecond());
        m.put("started_at", startedAt == null ? null : startedAt.getEpochSecond());
        m.put("finished_at", finishedAt == null ? null : finishedAt.getEpochSecond());
        m.put("status_url", "/v1/tasks/" + id);
        return m;
    }
}
