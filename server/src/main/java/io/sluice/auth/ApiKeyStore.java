package io.sluice.auth;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.infra.Database;

/** API keys in PostgreSQL: the prefix finds the row, the SHA-256 of the whole key proves it. */
public final class ApiKeyStore {
    private static final String COLUMNS = "id, user_id, name, prefix, key_hash, created_at, models, expires_at, rpm, tpm, "
                                          + "metadata::text, disabled";
    private static final String K_COLUMNS = "k." + COLUMNS.replace(", ", ", k.");

    private final Database db;

    public ApiKeyStore(Database db) {
        this.db = db;
    }

    /** A key's scope as stored: every field may be null (no allow-list, no expiry, no own limits, no metadata). */
    public record Scope(List<String> models, OffsetDateTime expiresAt, Integer rpm, Integer tpm, String metadataJson) {
        public static final Scope NONE = new Scope(null, null, null, null, null);
    }

    public record KeyRow(UUID id, UUID userId, String name, String prefix, String keyHash, OffsetDateTime createdAt,
                         Scope scope, boolean disabled) {
        public Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id.toString());
            m.put("object", "api_key");
            m.put("name", name);
            m.put("prefix", ApiKeys.PREFIX + prefix);
            m.put("user_id", userId.toString());
            m.put("created_at", createdAt.toString());
            m.put("models", scope.models());
            m.put("expires_at", scope.expiresAt() == null ? null : scope.expiresAt().toString());
            m.put("rpm", scope.rpm());
            m.put("tpm", scope.tpm());
            m.put("metadata", metadata(scope.metadataJson()));
            m.put("disabled", disabled);
            return m;
        }

        /** The scope a request carries: built once per lookup and cached with the principal. */
        KeyScope keyScope() {
            return new KeyScope(id.toString(), ApiKeys.PREFIX + prefix, scope.models(),
                                scope.expiresAt() == null ? null : scope.expiresAt().toInstant(), scope.rpm(), scope.tpm());
        }
    }

    /** The key's row joined with its owner, for authentication. */
    public record Match(KeyRow key, UserStore.User user) {
    }

    /** What a PATCH changes; a null field stays as it is, {@code clear*} sets it back to none. */
    public record Change(String name, List<String> models, boolean clearModels, OffsetDateTime expiresAt, boolean clearExpiry,
                         Integer rpm, boolean clearRpm, Integer tpm, boolean clearTpm, JsonNode metadata, Boolean disabled) {
    }

    public KeyRow insert(UUID userId, String name, String prefix, String keyHash, Scope scope) {
        return db.queryOne("INSERT INTO api_keys (user_id, name, prefix, key_hash, models, expires_at, rpm, tpm, metadata) "
                           + "VALUES (?, ?, ?, ?, string_to_array(?::text, ','), ?::timestamptz, ?::int, ?::int, "
                           + "COALESCE(?::jsonb, '{}'::jsonb)) RETURNING " + COLUMNS,
                           ApiKeyStore::row, userId, name, prefix, keyHash, joined(scope.models()), scope.expiresAt(),
                           scope.rpm(), scope.tpm(), scope.metadataJson()).orElseThrow();
    }

    public Optional<Match> findByPrefix(String prefix) {
        // May lag (database.replica-max-lag): a key created a moment ago is asked of the primary when the replica lacks it.
        return db.readQueryOne("SELECT " + K_COLUMNS + ", "
                           + "u.username, u.password_hash, u.role, u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id "
                           + "WHERE k.prefix = ?",
                           rs -> {
                               KeyRow key = row(rs);
                               return new Match(key, new UserStore.User(key.userId(), rs.getString(13), rs.getString(14),
                                                                        Principal.Role.of(rs.getString(15)), rs.getBoolean(16)));
                           }, prefix);
    }

    public Optional<KeyRow> find(UUID id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM api_keys WHERE id = ?", ApiKeyStore::row, id);
    }

    public List<KeyRow> list(UUID userId) {
        return db.readQuery("SELECT " + COLUMNS + " FROM api_keys WHERE user_id = ? ORDER BY created_at DESC LIMIT 1000",
                        ApiKeyStore::row, userId);
    }

    /** Every user's keys, newest first (admins). */
    public List<KeyRow> listAll() {
        return db.readQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at DESC LIMIT 1000", ApiKeyStore::row);
    }

    /** Applies a change in one UPDATE; empty when there is no such key. */
    public Optional<KeyRow> update(UUID id, Change c) {
        return db.queryOne("UPDATE api_keys SET name = COALESCE(?::text, name), "
                           + "models = CASE WHEN ? THEN NULL ELSE COALESCE(string_to_array(?::text, ','), models) END, "
                           + "expires_at = CASE WHEN ? THEN NULL ELSE COALESCE(?::timestamptz, expires_at) END, "
                           + "rpm = CASE WHEN ? THEN NULL ELSE COALESCE(?::int, rpm) END, "
                           + "tpm = CASE WHEN ? THEN NULL ELSE COALESCE(?::int, tpm) END, "
                           + "metadata = COALESCE(?::jsonb, metadata), disabled = COALESCE(?::boolean, disabled) "
                           + "WHERE id = ? RETURNING " + COLUMNS, ApiKeyStore::row,
                           c.name(), c.clearModels(), joined(c.models()), c.clearExpiry(), c.expiresAt(), c.clearRpm(), c.rpm(),
                           c.clearTpm(), c.tpm(), c.metadata() == null ? null : Json.write(c.metadata()), c.disabled(), id);
    }

    /** Deletes the key if it belongs to the user (any user's for an admin); false otherwise (the caller answers 404 either way). */
    public boolean delete(UUID id, UUID userId, boolean admin) {
        return admin ? db.update("DELETE FROM api_keys WHERE id = ?", id) == 1
                     : db.update("DELETE FROM api_keys WHERE id = ? AND user_id = ?", id, userId) == 1;
    }

    private static JsonNode metadata(String json) {
        try {
            return Json.MAPPER.readTree(json == null ? "{}" : json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("api_keys.metadata is not JSON", e);   // jsonb: cannot happen
        }
    }

    private static String joined(List<String> models) {
        return models == null ? null : String.join(",", models);
    }

    private static KeyRow row(ResultSet rs) throws SQLException {
        Array models = rs.getArray(7);
        Scope scope = new Scope(models == null ? null : Arrays.asList((String[]) models.getArray()),
                                rs.getObject(8, OffsetDateTime.class), (Integer) rs.getObject(9), (Integer) rs.getObject(10),
                                rs.getString(11));
        return new KeyRow(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                          rs.getString(5), rs.getObject(6, OffsetDateTime.class), scope, rs.getBoolean(12));
    }
}
