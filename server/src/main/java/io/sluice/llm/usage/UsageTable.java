package io.sluice.llm.usage;

import java.io.IOException;
import java.io.StringReader;
import java.sql.SQLException;
import java.util.List;

import io.sluice.infra.Database;
import org.postgresql.PGConnection;

/**
 * Writes a batch of usage rows in one transaction with one COPY (pgjdbc's CopyManager). Measured
 * on this box against one {@code INSERT ... SELECT FROM unnest(arrays)} per batch: COPY took
 * 3.1–3.5 ms per 100 rows and 29 ms per 500 against 5.1–5.6 ms and 41–46 ms. COPY keeps no
 * session state, so it is safe behind PgBouncer in transaction mode.
 */
final class UsageTable {
    private static final String COPY = "COPY llm_usage (request_id, user_name, session_id, model, provider,"
            + " prompt_tokens, completion_tokens, estimated, status, owner, key_id, cached_tokens, cost) FROM STDIN";

    private final Database db;

    UsageTable(Database db) {
        this.db = db;
    }

    /** Inserts all rows or none; throws {@link Database.DatabaseException} when PostgreSQL is not there. */
    void insert(List<UsageRow> rows) {
        String data = text(rows);
        db.inTransaction(c -> {
            // Usage is bookkeeping: not worth a WAL flush per batch (a crash may lose the last few
            // hundred ms of rows, never corrupt them). SET LOCAL keeps this safe behind PgBouncer.
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL synchronous_commit = off");
            }
            try {
                return c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new StringReader(data));
            } catch (IOException e) {
                throw new SQLException("COPY into llm_usage failed", e);
            }
        });
    }

    /** COPY's text format: one line per row, tab-separated, \N for null. */
    static String text(List<UsageRow> rows) {
        StringBuilder sb = new StringBuilder(rows.size() * 96);
        for (UsageRow r : rows) {
            field(sb, r.requestId()).append('\t');
            field(sb, r.user()).append('\t');
            field(sb, r.sessionId()).append('\t');
            field(sb, r.model()).append('\t');
            field(sb, r.provider()).append('\t');
            sb.append(r.promptTokens()).append('\t')
              .append(r.completionTokens()).append('\t')
              .append(r.estimated() ? 't' : 'f').append('\t');
            field(sb, r.status()).append('\t');
            field(sb, r.owner()).append('\t');
            field(sb, r.keyId()).append('\t');
            sb.append(r.cachedTokens()).append('\t')
              .append(Prices.stored(r.cost()).toPlainString()).append('\n');
        }
        return sb.toString();
    }

    /** A text value escaped for COPY: a request id comes from the client and may hold anything. */
    private static StringBuilder field(StringBuilder sb, String s) {
        if (s == null) {
            return sb.append("\\N");
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(ch);
            }
        }
        return sb;
    }
}
