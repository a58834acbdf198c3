package io.sluice.auth;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import io.sluice.infra.Database;

/** Users in PostgreSQL; parameterised statements only. */
public final class UserStore {
    private static final String COLUMNS = "id, username, password_hash, role";

    private final Database db;

    public UserStore(Database db) {
        this.db = db;
    }

    public record User(UUID id, String username, String passwordHash, Principal.Role role) {
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

    public boolean any() {
        return db.queryOne("SELECT 1 FROM users LIMIT 1", row -> true).isPresent();
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), Principal.Role.of(rs.getString(4)));
    }
}
