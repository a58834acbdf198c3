package io.sluice.sessions;

import java.sql.PreparedStatement;
import java.util.Locale;
import java.util.UUID;

import io.sluice.infra.Database;
import io.sluice.llm.ChatResult;
import io.sluice.llm.UsageSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token usage per LLM request, one row each, for quotas later. Written after the answer has gone
 * out; a failure here is logged, never turned into an error for a client that already has its answer.
 */
public final class UsageStore implements UsageSink {
    private static final Logger LOG = LoggerFactory.getLogger(UsageStore.class);

    private final Database db;

    public UsageStore(Database db) {
        this.db = db;
    }

    @Override
    public void record(String requestId, String user, String sessionId, String model, ChatResult result) {
        try {
            db.inTransaction(c -> {
                // A usage row is bookkeeping: not worth a WAL flush per request (a crash may lose the last
                // few hundred ms of rows, never corrupt them). SET LOCAL keeps this safe behind PgBouncer.
                try (var st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit = off");
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO llm_usage (request_id, user_name, session_id, model, provider, prompt_tokens,"
                                + " completion_tokens, estimated, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, requestId);
                    ps.setString(2, user == null ? "" : user);
                    ps.setObject(3, sessionId == null ? null : UUID.fromString(sessionId));
                    ps.setString(4, model);
                    ps.setString(5, result.provider());
                    ps.setInt(6, result.usage().promptTokens());
                    ps.setInt(7, result.usage().completionTokens());
                    ps.setBoolean(8, result.usage().estimated());
                    ps.setString(9, result.status().name().toLowerCase(Locale.ROOT));
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("request {}: usage not recorded: {}", requestId, e.toString());
        }
    }
}
