package io.sluice.sessions;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.sluice.cache.TwoLevelCache;
import io.sluice.infra.Database;

/**
 * Sessions and their messages in PostgreSQL. Every query names its session, so one session's
 * messages can never appear in another's. Each call takes a pooled connection for one short
 * statement and gives it back: none is held while an upstream answers.
 *
 * <p>A session's metadata is read through the two-level cache by id; every write path below
 * (create, delete, and each appended message, which moves {@code updated_at}) invalidates it after
 * the write, so a change is read back at once on this instance and on the others.
 */
public final class SessionStore {
    private static final String SESSION_COLUMNS = "id, owner, user_name, title, system_prompt, model, created_at, updated_at";
    private static final String MESSAGE_COLUMNS = "id, role, content, incomplete, created_at";

    private final Database db;
    private final TwoLevelCache<Session> cache;

    public SessionStore(Database db, TwoLevelCache<Session> cache) {
        this.db = db;
        this.cache = cache;
    }

    public Session create(String owner, String user, String title, String systemPrompt, String model) {
        Session s = db.queryOne("INSERT INTO chat_sessions (owner, user_name, title, system_prompt, model) VALUES (?, ?, ?, ?, ?) "
                                + "RETURNING " + SESSION_COLUMNS,
                                SessionStore::session, owner, user, title, systemPrompt, model).orElseThrow();
        cache.invalidate(s.id().toString());   // a "not found" cached for a guessed id must not outlive the row
        return s;
    }

    public Optional<Session> find(UUID id) {
        return cache.get(id.toString(),
                         () -> db.queryOne("SELECT " + SESSION_COLUMNS + " FROM chat_sessions WHERE id = ?", SessionStore::session, id));
    }

    /** Deletes the session and (cascade) its messages; false when there was none. */
    public boolean delete(UUID id) {
        boolean deleted = db.update("DELETE FROM chat_sessions WHERE id = ?", id) == 1;
        cache.invalidate(id.toString());
        return deleted;
    }

    /** Appends a message and touches the session, in one statement (so both or neither happen). */
    public Message append(UUID session, String role, String content, boolean incomplete) {
        Message m = db.queryOne("WITH touched AS (UPDATE chat_sessions SET updated_at = now() WHERE id = ?) "
                                + "INSERT INTO chat_messages (session_id, role, content, incomplete) VALUES (?, ?, ?, ?) "
                                + "RETURNING " + MESSAGE_COLUMNS,
                                SessionStore::message, session, session, role, content, incomplete).orElseThrow();
        cache.invalidate(session.toString());
        return m;
    }

    /**
     * Appends a task's reply at most once: the task key ({@code task-<id>}) is unique, so a task run
     * again after a crash between this insert and the task's commit stores nothing new. Empty when
     * the reply was already there ({@link #replyOf} finds it).
     */
    public Optional<Message> appendReply(UUID session, String content, boolean incomplete, String taskKey) {
        Optional<Message> m = db.queryOne("WITH touched AS (UPDATE chat_sessions SET updated_at = now() WHERE id = ?) "
                                          + "INSERT INTO chat_messages (session_id, role, content, incomplete, task_key) "
                                          + "VALUES (?, 'assistant', ?, ?, ?) ON CONFLICT (task_key) WHERE task_key IS NOT NULL DO NOTHING "
                                          + "RETURNING " + MESSAGE_COLUMNS,
                                          SessionStore::message, session, session, content, incomplete, taskKey);
        cache.invalidate(session.toString());   // the UPDATE ran even when the insert did nothing
        return m;
    }

    /** The reply a task already stored, if any. */
    public Optional<Message> replyOf(String taskKey) {
        return db.queryOne("SELECT " + MESSAGE_COLUMNS + " FROM chat_messages WHERE task_key = ?", SessionStore::message, taskKey);
    }

    /** A page of messages older than {@code before} (or the newest), oldest first; {@code limit + 1} are read to know if more exist. */
    public Page page(UUID session, int limit, Long before) {
        return page(session, limit, before, true);
    }

    /** @param mayLag true for the history listing (the read replica may serve it), false for a chat's own read-after-write */
    private Page page(UUID session, int limit, Long before, boolean mayLag) {
        String sql = "SELECT " + MESSAGE_COLUMNS + " FROM chat_messages WHERE session_id = ?"
                     + (before == null ? "" : " AND id < ?") + " ORDER BY id DESC LIMIT ?";
        Object[] params = before == null ? new Object[] {session, limit + 1} : new Object[] {session, before, limit + 1};
        List<Message> newestFirst = mayLag ? db.readQuery(sql, SessionStore::message, params)
                                           : db.query(sql, SessionStore::message, params);
        boolean more = newestFirst.size() > limit;
        List<Message> page = new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
        Collections.reverse(page);
        return new Page(page, more);
    }

    /** The newest {@code max} messages, oldest first: the history a chat sends upstream, its own user message included (primary). */
    public List<Message> recent(UUID session, int max) {
        return page(session, max, null, false).messages();
    }

    public record Page(List<Message> messages, boolean hasMore) {
    }

    private static Session session(ResultSet rs) throws SQLException {
        return new Session(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                           rs.getString(6), rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class));
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getObject(5, OffsetDateTime.class));
    }
}
