package io.sluice.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.sluice.infra.Database;

/** API keys in PostgreSQL: the prefix finds the row, the SHA-256 of the whole key proves it. */
public final class ApiKeyStore {
    private static final String COLUMNS = "id, user_id, name, prefix, key_hash, created_at";

    private final Database db;

    public ApiKeyStore(Database db) {
        this.db = db;
    }

    public record KeyRow(UUID id, UUID userId, String name, String prefix, String keyHash,
                         OffsetDateTime createdAt) {
        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id.toString());
            m.put("object", "api_key");
            m.put("name", name);
            m.put("prefix", ApiKeys.PREFIX + prefix);
            m.put("created_at", createdAt.toString());
            return m;
        }
    }

    /** The key's row joined with its owner, for authentication. */
    public record Match(KeyRow key, UserStore.User user) {
    }

    public KeyRow insert(UUID userId, String name, String prefix, String keyHash) {
        return db.queryOne("INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS,
                           ApiKeyStore::row, userId, name, prefix, keyHash).orElseThrow();
    }

    public Optional<Match> findByPrefix(String prefix) {
        // May lag (database.replica-max-lag): a key created a moment ago is asked of the primary when the replica lacks it.
        return db.readQueryOne("SELECT k.id, k.user_id, k.name, k.prefix, k.key_hash, k.created_at, "
                           + "u.username, u.password_hash, u.role, u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id "
                           + "WHERE k.prefix = ?",
                           rs -> {
                               KeyRow key = row(rs);
                               return new Match(key, new UserStore.User(key.userId(), rs.getString(7), rs.getString(8),
                                                                        Principal.Role.of(rs.getString(9)), rs.getBoolean(10)));
                           }, prefix);
    }

    public List<KeyRow> list(UUID userId) {
        return db.readQuery("SELECT " + COLUMNS + " FROM api_keys WHERE user_id = ? ORDER BY created_at DESC LIMIT 1000",
                        ApiKeyStore::row, userId);
    }

    /** Deletes the key if it belongs to the user; false otherwise (the caller answers 404 either way). */
    public boolean delete(UUID id, UUID userId) {
        return db.update("DELETE FROM api_keys WHERE id = ? AND user_id = ?", id, userId) == 1;
    }

    private static KeyRow row(ResultSet rs) throws SQLException {
        return new KeyRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                          rs.getString(5), rs.getObject(6, OffsetDateTime.class));
    }
}
