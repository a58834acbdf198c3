package io.sluice.tasks;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.cache.TwoLevelCache;
import io.sluice.http.Json;
import io.sluice.infra.Database;

/**
 * Task rows in PostgreSQL, the source of truth. Every state change is one guarded UPDATE, so a task
 * is claimed by one worker at a time and finishes with exactly one result, whatever Redis redelivers.
 * {@code stream_id} names the stream entry that carries the task: recorded by the claim (the entry
 * that delivered it) and by every re-enqueue; null only for a task submitted and not yet claimed.
 */
public final class TaskStore {
    private static final String COLUMNS =
            "id, owner, key_id, kind, request, status, result, error, attempts, created_at, started_at, finished_at";

    private final Database db;
    private final String stream;
    private final TwoLevelCache<Task> finished;   // finished tasks only: they change no more, except by delete

    /** Tasks carried by {@code stream}; several deployments may share one database. */
    public TaskStore(Database db, String stream, TwoLevelCache<Task> finished) {
        this.db = db;
        this.stream = stream;
        this.finished = finished;
    }

    public Task insert(String owner, String keyId, String kind, JsonNode request) {
        return db.queryOne("INSERT INTO tasks (id, owner, key_id, kind, request, status, stream) "
                           + "VALUES (?, ?, ?::uuid, ?, ?::jsonb, 'queued', ?) RETURNING " + COLUMNS,
                           TaskStore::map, UUID.randomUUID(), owner, keyId, kind, Json.write(request), stream).orElseThrow();
    }

    /**
     * Stores a batch of new tasks as 'queued' in one multi-row INSERT: one statement, so all rows
     * commit together or none does.
     */
    void insertQueued(List<TaskSubmitter.Pending> batch) {
        StringBuilder sql = new StringBuilder("INSERT INTO tasks (id, owner, key_id, kind, request, status, stream) VALUES ");
        Object[] params = new Object[batch.size() * 6];
        int i = 0;
        for (TaskSubmitter.Pending p : batch) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?::uuid, ?, ?::jsonb, 'queued', ?)");
            params[i++] = p.id;
            params[i++] = p.owner;
            params[i++] = p.keyId;
            params[i++] = p.kind;
            params[i++] = p.request;
            params[i++] = stream;
        }
        db.update(sql.toString(), params);
    }

    void deleteAll(List<UUID> ids) {
        db.withConnection(c -> {
            try (var ps = c.prepareStatement("DELETE FROM tasks WHERE id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
                return ps.executeUpdate();
            }
        });
        ids.forEach(id -> finished.invalidate(id.toString()));
    }

    public void delete(UUID id) {
        db.update("DELETE FROM tasks WHERE id = ?", id);
        finished.invalidate(id.toString());
    }

    public void recordStreamId(UUID id, String streamId) {
        db.update("UPDATE tasks SET stream_id = ?, updated_at = now() WHERE id = ?", streamId, id);
    }

    /**
     * The task as a poll sees it: a finished one from the cache (it can change no more; a delete
     * invalidates it), anything else from PostgreSQL. Workers and waits use {@link #find}.
     */
    public Optional<Task> findForPoll(UUID id) {
        return finished.get(id.toString(), () -> poll(id));   // finished states never change: a replica's copy is final
    }

    public Optional<Task> find(UUID id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", TaskStore::map, id);
    }

    /** {@link #find} for a client's poll: the read replica may serve it (at most database.replica-max-lag behind). */
    public Optional<Task> poll(UUID id) {
        return db.readQueryOne("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", TaskStore::map, id);
    }

    /**
     * Takes the task for this worker: a queued task, or a running one whose worker stopped sending
     * heartbeats (it died). Empty when the task is finished, cancelled, or alive elsewhere. The
     * delivering entry becomes the task's carrier, acknowledged when the task is done.
     */
    public Optional<Task> claim(UUID id, String streamId, String worker, Duration visibilityTimeout) {
        return db.queryOne("UPDATE tasks SET status = 'running', attempts = attempts + 1, worker = ?, stream_id = ?, "
                           + "started_at = now(), heartbeat_at = now(), updated_at = now() "
                           + "WHERE id = ? AND (status = 'queued' OR (status = 'running' "
                           + "AND heartbeat_at < now() - make_interval(secs => ?))) RETURNING " + COLUMNS,
                           TaskStore::map, worker, streamId, id, seconds(visibilityTimeout));
    }

    /** True when the task is still unfinished and this stream entry is the one that carries it. */
    public boolean isLiveUnder(UUID id, String streamId) {
        return db.queryOne("SELECT 1 FROM tasks WHERE id = ? AND stream_id = ? AND status IN ('queued', 'running')",
                           row -> true, id, streamId).isPresent();
    }

    public void heartbeat(UUID id, String worker) {
        db.update("UPDATE tasks SET heartbeat_at = now() WHERE id = ? AND worker = ? AND status = 'running'", id, worker);
    }

    /** Stores the result unless another worker finished first; true when this call won. */
    public boolean succeed(UUID id, String worker, JsonNode result) {
        return finish(id, worker, "succeeded", "result", result);
    }

    public boolean fail(UUID id, String worker, JsonNode error) {
        return finish(id, worker, "failed", "error", error);
    }

    /** Puts a failed attempt back in the queue, keeping its error for the caller to see. */
    public boolean requeue(UUID id, String worker, JsonNode error) {
        return db.update("UPDATE tasks SET status = 'queued', error = ?::jsonb, worker = NULL, updated_at = now() "
                         + "WHERE id = ? AND status = 'running' AND worker = ?", Json.write(error), id, worker) == 1;
    }

    public Optional<Task> cancel(UUID id) {
        return db.queryOne("UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now() "
                           + "WHERE id = ? AND status = 'queued' RETURNING " + COLUMNS, TaskStore::map, id);
    }

    /** Unfinished tasks of this stream untouched for a while, with the stream entry each should have. */
    public List<Lost> unfinishedOlderThan(Duration age, Duration visibilityTimeout, int limit) {
        return db.query("SELECT id, stream_id FROM tasks WHERE stream = ? AND updated_at < now() - make_interval(secs => ?) "
                        + "AND (status = 'queued' OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => ?))) "
                        + "ORDER BY updated_at LIMIT ?",
                        row -> new Lost(row.getObject(1, UUID.class), row.getString(2)),
                        stream, seconds(age), seconds(visibilityTimeout), limit);
    }

    public record Lost(UUID id, String streamId) {
    }

    private boolean finish(UUID id, String worker, String status, String column, JsonNode value) {
        return db.update("UPDATE tasks SET status = ?, " + column + " = ?::jsonb, finished_at = now(), updated_at = now() "
                         + "WHERE id = ? AND status = 'running' AND worker = ?", status, Json.write(value), id, worker) == 1;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static Task map(ResultSet rs) throws SQLException {
        return new Task(rs.getObject("id", UUID.class),
                        rs.getString("owner"),
                        rs.getString("key_id"),
                        rs.getString("kind"),
                        Rows.json(rs.getString("request")),
                        Task.Status.of(rs.getString("status")),
                        Rows.json(rs.getString("result")),
                        Rows.json(rs.getString("error")),
                        rs.getInt("attempts"),
                        Rows.instant(rs.getTimestamp("created_at")),
                        Rows.instant(rs.getTimestamp("started_at")),
                        Rows.instant(rs.getTimestamp("finished_at")));
    }
}
