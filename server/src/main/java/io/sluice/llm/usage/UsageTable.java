package io.sluice.llm.usage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import io.sluice.infra.Database;

/**
 * Writes a batch of usage rows in one transaction with one statement: each column is sent as an
 * array and {@code unnest} turns the arrays back into rows. The SQL text is the same for any batch
 * size (no statement per size) and nothing depends on session state, so it is safe behind
 * PgBouncer in transaction mode; unlike pgjdbc's COPY it needs no unwrapping of the pooled connection.
 */
final class UsageTable {
    private static final String INSERT = "INSERT INTO llm_usage (request_id, user_name, session_id, model, provider,"
            + " prompt_tokens, completion_tokens, estimated, status)"
            + " SELECT * FROM unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::int4[], ?::int4[],"
            + " ?::bool[], ?::text[])";

    private final Database db;

    UsageTable(Database db) {
        this.db = db;
    }

    /** Inserts all rows or none; throws {@link Database.DatabaseException} when PostgreSQL is not there. */
    void insert(List<UsageRow> rows) {
        int n = rows.size();
        String[] requestIds = new String[n], users = new String[n], sessions = new String[n], models = new String[n],
                providers = new String[n], statuses = new String[n];
        Integer[] prompt = new Integer[n], completion = new Integer[n];
        Boolean[] estimated = new Boolean[n];
        for (int i = 0; i < n; i++) {
            UsageRow r = rows.get(i);
            requestIds[i] = r.requestId();
            users[i] = r.user();
            sessions[i] = r.sessionId();
            models[i] = r.model();
            providers[i] = r.provider();
            prompt[i] = r.promptTokens();
            completion[i] = r.completionTokens();
            estimated[i] = r.estimated();
            statuses[i] = r.status();
        }
        db.inTransaction(c -> {
            // Usage is bookkeeping: not worth a WAL flush per batch (a crash may lose the last few
            // hundred ms of rows, never corrupt them). SET LOCAL keeps this safe behind PgBouncer.
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL synchronous_commit = off");
            }
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setArray(1, text(c, requestIds));
                ps.setArray(2, text(c, users));
                ps.setArray(3, text(c, sessions));
                ps.setArray(4, text(c, models));
                ps.setArray(5, text(c, providers));
                ps.setArray(6, c.createArrayOf("int4", prompt));
                ps.setArray(7, c.createArrayOf("int4", completion));
                ps.setArray(8, c.createArrayOf("bool", estimated));
                ps.setArray(9, text(c, statuses));
                return ps.executeUpdate();
            }
        });
    }

    private static java.sql.Array text(Connection c, String[] values) throws SQLException {
        return c.createArrayOf("text", values);
    }
}
