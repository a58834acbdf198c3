package io.sluice.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.sluice.infra.Database;

/** Users in PostgreSQL; parameterised statements only. */
public final class UserStore {
    private static final String COLUMNS = "id, username, password_hash, role, disabled";

    private final Database db;

    public UserStore(Database db) {
        this.db = db;
    }

    public record User(UUID id, String username, String passwordHash, Principal.Role role, boolean disabled) {
        public Principal principal() {
            return new Principal(id.toString(), username, role, null, null, null);
        }
    }

    /** The new user, or empty when the username is taken. */
    public Optional<User> create(String username, String passwordHash, Principal.Role role) {
        return db.queryOne("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) "
                           + "ON CONFLICT (username) DO NOTHING RETURNING " + COLUMNS,
                           UserStore::user, username, passwordHash, role.db());
    }

    public Optional<User> findByUsername(String username) {
        return db.queryOne("SELECT " + COLUMNS + " FROM users WHERE username = ?", UserStore::user, username);
    }

    public Optional<User> findById(UUID id) {
        return db.queryOne("SELECT " + COLUMNS + " FROM users WHERE id = ?", UserStore::user, id);
    }

    public List<User> list() {
        return db.readQuery("SELECT " + COLUMNS + " FROM users ORDER BY username LIMIT 10000", UserStore::user);
    }

    /** Sets role and/or disabled (null = unchanged); the updated user, or empty when there is none. */
    public Optional<User> update(UUID id, Principal.Role role, Boolean disabled) {
        return db.queryOne("UPDATE users SET role = COALESCE(?, role), disabled = COALESCE(?, disabled) WHERE id = ? RETURNING "
                           + COLUMNS, UserStore::user, role == null ? null : role.db(), disabled, id);
    }

    /** Deletes the user (their API keys go with them); false when there was none. */
    public boolean delete(UUID id) {
        return db.update("DELETE FROM users WHERE id = ?", id) == 1;
    }

    public boolean any() {
        return db.queryOne("SELECT 1 FROM users LIMIT 1", row -> true).isPresent();
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), Principal.Role.of(rs.getString(4)),
                        rs.getBoolean(5));
    }
}
