package io.sluice.auth;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import io.sluice.infra.Database;

/** Users in PostgreSQL; parameterised statements only. */
public final class UserStore {
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
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) "
                    + "ON CONFLICT (username) DO NOTHING RETURNING id, username, password_hash, role")) {
                ps.setString(1, username);
                ps.setString(2, passwordHash);
                ps.setString(3, role.db());
                return one(ps);
            }
        });
    }

    public Optional<User> findByUsername(String username) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, username, password_hash, role FROM users WHERE username = ?")) {
                ps.setString(1, username);
                return one(ps);
            }
        });
    }

    public boolean any() {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM users)");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        });
    }

    private static Optional<User> one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                                        Principal.Role.of(rs.getString(4))));
        }
    }
}
