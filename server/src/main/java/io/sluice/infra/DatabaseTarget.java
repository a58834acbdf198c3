package io.sluice.infra;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

/** A JDBC URL and credentials from either a jdbc: URL or a postgres:// URL with user info. */
record DatabaseTarget(String jdbcUrl, String username, String password) {
    static DatabaseTarget parse(String url, String username, String password) {
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri = URI.create(url);
            String user = username;
            String pass = password;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                if (parts.length == 2) {
                    pass = decode(parts[1]);
                }
            }
            String port = uri.getPort() > 0 ? ":" + uri.getPort() : "";
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new DatabaseTarget("jdbc:postgresql://" + uri.getHost() + port + uri.getRawPath() + query, user, pass);
        }
        return new DatabaseTarget(url, username, password);
    }

    /**
     * True when a new connection, outside any pool, opens and answers within about {@code timeout}
     * (connect, login and each read bounded by it): the outage probe's question, which a busy pool
     * cannot answer wrongly.
     */
    boolean answers(Duration timeout) {
        String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
        Properties p = new Properties();
        p.setProperty("user", username);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", seconds);
        p.setProperty("loginTimeout", seconds);
        p.setProperty("socketTimeout", seconds);
        p.setProperty("ApplicationName", "sluice-probe");
        try (Connection c = DriverManager.getConnection(jdbcUrl, p)) {
            return c.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException e) {
            return false;
        }
    }

    /** The URL without credentials or query parameters, safe to log. */
    String display() {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
