package io.sluice.cache;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;

/** What the cache tests read and do around a server: its cache counters, and PostgreSQL behind its back. */
final class CacheProbe {
    private CacheProbe() {
    }

    /** A counter of one cache from the server's /metrics JSON. */
    static long stat(TestServer s, String cache, String field) {
        return TestServer.json(s.get("/metrics")).path("caches").path(cache).path(field).asLong();
    }

    static Map<String, Long> stats(TestServer s, String cache) {
        var node = TestServer.json(s.get("/metrics")).path("caches").path(cache);
        return Map.of("hits", node.path("hits").asLong(), "misses", node.path("misses").asLong(),
                      "loads", node.path("loads").asLong(), "l2_hits", node.path("l2_hits").asLong());
    }

    /** A connection to the PostgreSQL the test servers use. */
    static Connection postgres() throws SQLException {
        return DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
    }

    /** Changes a scene's template in PostgreSQL directly: no Sluice write path, so no invalidation. */
    static void changeBehindTheBack(String scene, String template) throws SQLException {
        try (Connection c = postgres(); var ps = c.prepareStatement("UPDATE prompt_scenes SET template = ? WHERE scene = ?")) {
            ps.setString(1, template);
            ps.setString(2, scene);
            if (ps.executeUpdate() != 1) {
                throw new AssertionError("no scene " + scene);
            }
        }
    }

    static void insertBehindTheBack(String scene, String template) throws SQLException {
        try (Connection c = postgres(); var ps = c.prepareStatement(
                "INSERT INTO prompt_scenes (scene, template, system, model, params) VALUES (?, ?, '', 'sluice-sim', '{}'::jsonb)")) {
            ps.setString(1, scene);
            ps.setString(2, template);
            ps.executeUpdate();
        }
    }

    static String sceneJson(String scene, String template) {
        return "{\"scene\":\"" + scene + "\",\"template\":\"" + template + "\",\"model\":\"sluice-sim\"}";
    }
}
