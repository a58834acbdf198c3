package io.sluice.podcasts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/** A podcast as stored: its request, where it stands, and (when done) its audio's length. */
public record Podcast(UUID id,
                      String owner,
                      UUID taskId,
                      Status status,
                      JsonNode request,
                      int linesTotal,
                      int linesDone,
                      Long durationMs,
                      Long audioBytes,
                      JsonNode error,
                      Instant createdAt,
                      Instant finishedAt) {

    public enum Status {
        QUEUED, SCRIPTING, RENDERING, JOINING, SUCCEEDED, FAILED;

        String db() {
            return name().toLowerCase();
        }

        boolean finished() {
            return this == SUCCEEDED || this == FAILED;
        }

        static Status of(String db) {
            return valueOf(db.toUpperCase());
        }
    }

    /** A strong validator: a podcast's audio is written once and never changes. */
    String etag() {
        return "\"" + id + "-" + audioBytes + "\"";
    }

    String audioUrl() {
        return "/v1/podcasts/" + id + "/audio";
    }

    /** The public JSON view (GET /v1/podcasts/{id} and the final progress event). */
    Map<String, Object> view(List<Map<String, Object>> script) {
        Map<String, Object> m = progress();
        m.put("topic", request.path("topic").isTextual() ? request.get("topic").asText() : null);
        m.put("hosts", request.get("hosts"));
        m.put("script", script);
        m.put("duration_seconds", durationMs == null ? null : durationMs / 1000.0);
        m.put("audio_url", status == Status.SUCCEEDED ? audioUrl() : null);
        m.put("audio_bytes", audioBytes);
        m.put("task_id", taskId == null ? null : taskId.toString());
        m.put("created_at", createdAt.getEpochSecond());
        m.put("finished_at", finishedAt == null ? null : finishedAt.getEpochSecond());
        return m;
    }

    /** An item of the list: the full view without the script ({@code GET /v1/podcasts/{id}} has it). */
    Map<String, Object> summary() {
        Map<String, Object> m = view(null);
        m.remove("script");
        return m;
    }

    /** What a progress event carries. */
    Map<String, Object> progress() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.toString());
        m.put("object", "podcast");
        m.put("status", status.db());
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("lines_rendered", linesDone);
        progress.put("lines_total", linesTotal);
        m.put("progress", progress);
        m.put("error", error);
        return m;
    }

    Podcast failedWith(JsonNode error) {
        return new Podcast(id, owner, taskId, Status.FAILED, request, linesTotal, linesDone, durationMs, audioBytes, error,
                           createdAt, finishedAt);
    }
}
