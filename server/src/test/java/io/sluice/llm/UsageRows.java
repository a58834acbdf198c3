package io.sluice.llm;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.sluice.support.TestInfra;

/** Reads the llm_usage table of the shared test database directly, as an operator's query would. */
public final class UsageRows {
    public record Row(String user, String sessionId, String model, String provider, int promptTokens, int completionTokens,
                      boolean estimated, String status) {
    }

    private UsageRows() {
    }

    public static List<Row> forRequest(String requestId) {
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("SELECT user_name, session_id, model, provider, prompt_tokens,"
                     + " completion_tokens, estimated, status FROM llm_usage WHERE request_id = ?")) {
            ps.setString(1, requestId);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                                     rs.getInt(6), rs.getBoolean(7), rs.getString(8)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
