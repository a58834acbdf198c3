package io.sluice.scenes;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.http.Json;
import io.sluice.infra.Database;

/** Prompt scenes in PostgreSQL. */
public final class SceneStore {
    private final Database db;

    public SceneStore(Database db) {
        this.db = db;
    }

    public Scene upsert(Scene s) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO prompt_scenes (scene, template, system, model, params) VALUES (?, ?, ?, ?, ?::jsonb) "
                    + "ON CONFLICT (scene) DO UPDATE SET template = EXCLUDED.template, system = EXCLUDED.system, "
                    + "model = EXCLUDED.model, params = EXCLUDED.params, updated_at = now()")) {
                ps.setString(1, s.scene());
                ps.setString(2, s.template());
                ps.setString(3, s.system());
                ps.setString(4, s.model());
                ps.setString(5, Json.write(s.params()));
                ps.executeUpdate();
                return s;
            }
        });
    }

    public Optional<Scene> find(String scene) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT scene, template, system, model, params FROM prompt_scenes WHERE scene = ?")) {
                ps.setString(1, scene);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    public List<Scene> list() {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT scene, template, system, model, params FROM prompt_scenes ORDER BY scene LIMIT 1000");
                 ResultSet rs = ps.executeQuery()) {
                List<Scene> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(map(rs));
                }
                return all;
            }
        });
    }

    public boolean delete(String scene) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM prompt_scenes WHERE scene = ?")) {
                ps.setString(1, scene);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static Scene map(ResultSet rs) throws SQLException {
        try {
            return new Scene(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                             Json.MAPPER.readTree(rs.getString(5)));
        } catch (JsonProcessingException e) {
            throw new SQLException("stored params do not parse", e);
        }
    }
}
