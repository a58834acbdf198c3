package io.sluice.auth;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.sluice.infra.Database;

/** API keys in PostgreSQL: the prefix finds the row, the SHA-256 of the whole key proves it. */
public final class ApiKeyStore {
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
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES (?, ?, ?, ?) "
                    + "RETURNING id, user_id, name, prefix, key_hash, created_at")) {
                ps.setObject(1, userId);
                ps.setString(2, name);
                ps.setString(3, prefix);
                ps.setString(4, keyHash);
                return rows(ps).getFirst();
            }
        });
    }

    public Optional<Match> findByPrefix(String prefix) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT k.id, k.user_id, k.name, k.prefix, k.key_hash, k.created_at, "
                    + "u.username, u.password_hash, u.role FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.prefix = ?")) {
                ps.setString(1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    KeyRow key = row(rs);
                    return Optional.of(new Match(key, new UserStore.User(key.userId(), rs.getString(7), rs.getString(8),
                                                                         Principal.Role.of(rs.getString(9)))));
                }
            }
        });
    }

    public List<KeyRow> list(UUID userId) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, user_id, name, prefix, key_hash, created_at FROM api_keys "
                    + "WHERE user_id = ? ORDER BY created_at DESC LIMIT 1000")) {
                ps.setObject(1, userId);
                return rows(ps);
            }
        });
    }

    /** Deletes the key if it belongs to the user; false otherwise (the caller answers 404 either way). */
    public boolean delete(UUID id, UUID userId) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_keys WHERE id = ? AND user_id = ?")) {
                ps.setObject(1, id);
                ps.setObject(2, userId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static List<KeyRow> rows(PreparedStatement ps) throws SQLException {
        List<KeyRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    private static KeyRow row(ResultSet rs) throws SQLException {
        return new KeyRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                          rs.getString(5), rs.getObject(6, OffsetDateTime.class));
    }
}
