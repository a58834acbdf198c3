package io.sluice.scenes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.http.Json;
import io.sluice.infra.Database;

/** Prompt scenes in PostgreSQL. */
public final class SceneStore {
    private static final String COLUMNS = "scene, template, system, model, params";

    private final Database db;

    public SceneStore(Database db) {
        this.db = db;
    }

    public Scene upsert(Scene s) {
        db.update("INSERT INTO prompt_scenes (scene, template, system, model, params) VALUES (?, ?, ?, ?, ?::jsonb) "
                  + "ON CONFLICT (scene) DO UPDATE SET template = EXCLUDED.template, system = EXCLUDED.system, "
                  + "model = EXCLUDED.model, params = EXCLUDED.params, updated_at = now()",
                  s.scene(), s.template(), s.system(), s.model(), Json.write(s.params()));
        return s;
    }

    public Optional<Scene> find(String scene) {
        return db.queryOne("SELECT " + COLUMNS + " FROM prompt_scenes WHERE scene = ?", SceneStore::map, scene);
    }

    public List<Scene> list() {
        return db.readQuery("SELECT " + COLUMNS + " FROM prompt_scenes ORDER BY scene LIMIT 1000", SceneStore::map);
    }

    public boolean delete(String scene) {
        return db.update("DELETE FROM prompt_scenes WHERE scene = ?", scene) == 1;
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
