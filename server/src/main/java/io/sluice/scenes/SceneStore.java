package io.sluice.scenes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.cache.TwoLevelCache;
import io.sluice.http.Json;
import io.sluice.infra.Database;

/**
 * Prompt scenes in PostgreSQL, read through the two-level cache by name (every scene call reads
 * one). Both write paths invalidate the name after the write, so a change is read back at once
 * here and within a second (in practice at once) on every other instance.
 */
public final class SceneStore {
    private static final String COLUMNS = "scene, template, system, model, params";

    private final Database db;
    private final TwoLevelCache<Scene> cache;

    public SceneStore(Database db, TwoLevelCache<Scene> cache) {
        this.db = db;
        this.cache = cache;
    }

    public Scene upsert(Scene s) {
        db.update("INSERT INTO prompt_scenes (scene, template, system, model, params) VALUES (?, ?, ?, ?, ?::jsonb) "
                  + "ON CONFLICT (scene) DO UPDATE SET template = EXCLUDED.template, system = EXCLUDED.system, "
                  + "model = EXCLUDED.model, params = EXCLUDED.params, updated_at = now()",
                  s.scene(), s.template(), s.system(), s.model(), Json.write(s.params()));
        cache.invalidate(s.scene());
        return s;
    }

    public Optional<Scene> find(String scene) {
        return cache.get(scene, () -> db.queryOne("SELECT " + COLUMNS + " FROM prompt_scenes WHERE scene = ?", SceneStore::map, scene));
    }

    public List<Scene> list() {
        return db.readQuery("SELECT " + COLUMNS + " FROM prompt_scenes ORDER BY scene LIMIT 1000", SceneStore::map);
    }

    public boolean delete(String scene) {
        boolean deleted = db.update("DELETE FROM prompt_scenes WHERE scene = ?", scene) == 1;
        cache.invalidate(scene);
        return deleted;
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
