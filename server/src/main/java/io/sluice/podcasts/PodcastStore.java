package io.sluice.podcasts;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.audio.Wav;
import io.sluice.http.Json;
import io.sluice.infra.Database;
import io.sluice.tasks.Rows;

/**
 * Podcast rows and their script lines in PostgreSQL. Every change is one guarded statement on an
 * unfinished podcast, so a worker whose podcast was deleted (or finished by another worker) learns it
 * from the row count and stops. A line is marked rendered, and the podcast's count raised, in one
 * statement, and only once: {@code lines_done} always equals the lines whose segment is on disk.
 */
final class PodcastStore {
    private static final String COLUMNS = "id, owner, task_id, status, request, lines_total, lines_done, duration_ms, "
                                          + "audio_bytes, error, created_at, finished_at";
    private static final String UNFINISHED = "status NOT IN ('succeeded', 'failed')";

    private final Database db;

    PodcastStore(Database db) {
        this.db = db;
    }

    /** A line with what is known of its rendering: the segment's size and format, or null when not rendered. */
    record LineState(ScriptLine line, Long pcmBytes, Wav.Format format) {
        boolean rendered() {
            return pcmBytes != null;
        }
    }

    /** The podcast row, and its lines when the client gave the script, in one transaction. */
    void create(UUID id, String owner, JsonNode request, List<ScriptLine> script) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO podcasts (id, owner, status, request) VALUES (?, ?, 'queued', ?::jsonb)")) {
                ps.setObject(1, id);
                ps.setString(2, owner);
                ps.setString(3, Json.write(request));
                ps.executeUpdate();
            }
            if (!script.isEmpty()) {
                insertLines(c, id, script);
            }
            return null;
        });
    }

    void recordTask(UUID id, UUID taskId) {
        db.update("UPDATE podcasts SET task_id = ? WHERE id = ?", taskId, id);
    }

    Optional<Podcast> find(UUID id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM podcasts WHERE id = ?", PodcastStore::map, id);
    }

    /** Whether {@code owner} has the podcast {@code id} (a list cursor must be one of the caller's own). */
    boolean owns(String owner, UUID id) {
        return db.queryOne("SELECT 1 FROM podcasts WHERE id = ? AND owner = ?", rs -> true, id, owner).isPresent();
    }

    /**
     * Up to {@code limit} of the owner's podcasts, newest first (ties by id), the page starting after
     * {@code after} (null: at the newest); the index on (owner, created_at DESC) serves it.
     */
    List<Podcast> page(String owner, int limit, UUID after) {
        String order = " ORDER BY created_at DESC, id DESC LIMIT ?";
        if (after == null) {
            return db.query("SELECT " + COLUMNS + " FROM podcasts WHERE owner = ?" + order, PodcastStore::map, owner, limit);
        }
        return db.query("SELECT " + COLUMNS + " FROM podcasts WHERE owner = ? AND (created_at, id) < "
                        + "(SELECT created_at, id FROM podcasts WHERE id = ? AND owner = ?)" + order,
                        PodcastStore::map, owner, after, owner, limit);
    }

    List<LineState> lines(UUID id) {
        return db.query("SELECT idx, speaker, voice, text, pcm_bytes, sample_rate, channels, bits FROM podcast_lines "
                        + "WHERE podcast_id = ? ORDER BY idx", PodcastStore::line, id);
    }

    /** Stores the script written by the model (unless a previous attempt already did) and starts rendering. */
    boolean saveScript(UUID id, List<ScriptLine> script) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM podcast_lines WHERE podcast_id = ? LIMIT 1")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        insertLines(c, id, script);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE podcasts SET status = 'rendering', updated_at = now(), "
                    + "lines_total = (SELECT count(*) FROM podcast_lines WHERE podcast_id = ?) WHERE id = ? AND " + UNFINISHED)) {
                ps.setObject(1, id);
                ps.setObject(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Moves an unfinished podcast to {@code status}; false when it is gone or finished. */
    boolean status(UUID id, Podcast.Status status) {
        return db.update("UPDATE podcasts SET status = ?, updated_at = now() WHERE id = ? AND " + UNFINISHED,
                         status.db(), id) == 1;
    }

    /** Marks a line rendered and counts it; false when the podcast is gone or no longer rendering. */
    boolean rendered(UUID id, int index, long pcmBytes, Wav.Format f) {
        return db.update("WITH line AS (UPDATE podcast_lines SET pcm_bytes = ?, sample_rate = ?, channels = ?, bits = ?, "
                         + "rendered_at = now() WHERE podcast_id = ? AND idx = ? AND rendered_at IS NULL RETURNING idx) "
                         + "UPDATE podcasts SET lines_done = lines_done + (SELECT count(*) FROM line), updated_at = now() "
                         + "WHERE id = ? AND status = 'rendering'",
                         pcmBytes, f.sampleRate(), f.channels(), f.bitsPerSample(), id, index, id) == 1;
    }

    /** Forgets a line's rendering whose segment file is missing or damaged, so it is rendered again. */
    void forget(UUID id, int index) {
        db.update("WITH line AS (UPDATE podcast_lines SET pcm_bytes = NULL, rendered_at = NULL "
                  + "WHERE podcast_id = ? AND idx = ? AND rendered_at IS NOT NULL RETURNING idx) "
                  + "UPDATE podcasts SET lines_done = lines_done - (SELECT count(*) FROM line) WHERE id = ?", id, index, id);
    }

    boolean succeed(UUID id, long durationMs, long audioBytes) {
        return db.update("UPDATE podcasts SET status = 'succeeded', duration_ms = ?, audio_bytes = ?, error = NULL, "
                         + "finished_at = now(), updated_at = now() WHERE id = ? AND status = 'joining'",
                         durationMs, audioBytes, id) == 1;
    }

    boolean fail(UUID id, JsonNode error) {
        return db.update("UPDATE podcasts SET status = 'failed', error = ?::jsonb, finished_at = now(), updated_at = now() "
                         + "WHERE id = ? AND " + UNFINISHED, Json.write(error), id) == 1;
    }

    /** A failed attempt that will be retried: back to queued, with the error for the client to see meanwhile. */
    void retrying(UUID id, JsonNode error) {
        db.update("UPDATE podcasts SET status = 'queued', error = ?::jsonb, updated_at = now() WHERE id = ? AND " + UNFINISHED,
                  Json.write(error), id);
    }

    boolean delete(UUID id) {
        return db.update("DELETE FROM podcasts WHERE id = ?", id) == 1;
    }

    private static void insertLines(java.sql.Connection c, UUID id, List<ScriptLine> script) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO podcast_lines (podcast_id, idx, speaker, voice, text) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (ScriptLine l : script) {
                ps.setObject(1, id);
                ps.setInt(2, l.index());
                ps.setString(3, l.speaker());
                ps.setString(4, l.voice());
                ps.setString(5, l.text());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE podcasts SET lines_total = ? WHERE id = ?")) {
            ps.setInt(1, script.size());
            ps.setObject(2, id);
            ps.executeUpdate();
        }
    }

    private static LineState line(ResultSet rs) throws SQLException {
        ScriptLine line = new ScriptLine(rs.getInt("idx"), rs.getString("speaker"), rs.getString("voice"), rs.getString("text"));
        long bytes = rs.getLong("pcm_bytes");
        if (rs.wasNull()) {
            return new LineState(line, null, null);
        }
        return new LineState(line, bytes, new Wav.Format(rs.getInt("sample_rate"), rs.getInt("channels"), rs.getInt("bits")));
    }

    private static Podcast map(ResultSet rs) throws SQLException {
        long duration = rs.getLong("duration_ms");
        Long durationMs = rs.wasNull() ? null : duration;
        long bytes = rs.getLong("audio_bytes");
        Long audioBytes = rs.wasNull() ? null : bytes;
        return new Podcast(rs.getObject("id", UUID.class), rs.getString("owner"), rs.getObject("task_id", UUID.class),
                           Podcast.Status.of(rs.getString("status")), Rows.json(rs.getString("request")),
                           rs.getInt("lines_total"), rs.getInt("lines_done"), durationMs, audioBytes,
                           Rows.json(rs.getString("error")), Rows.instant(rs.getTimestamp("created_at")),
                           Rows.instant(rs.getTimestamp("finished_at")));
    }
}
