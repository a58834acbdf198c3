package io.sluice.support;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test helpers: register a fresh user, log in, and call the API with a bearer credential. */
public final class Users {
    public static final String PASSWORD = "Tr0ub4dor&3-horse";

    private Users() {
    }

    public static String fresh(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Registers a new user and returns a login token. */
    public static String registerAndLogin(TestServer server, String username) {
        HttpResponse<String> r = server.postJson("/api/auth/register",
                "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return login(server, username, PASSWORD);
    }

    public static String login(TestServer server, String username, String password) {
        HttpResponse<String> r = server.postJson("/api/auth/login",
                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).path("token").asText();
    }

    public static HttpResponse<String> get(TestServer server, String path, String bearer) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + bearer).GET());
    }

    public static HttpResponse<String> delete(TestServer server, String path, String bearer) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + bearer).DELETE());
    }

    public static HttpResponse<String> send(TestServer server, String method, String path, String bearer, String json) {
        return server.send(HttpRequest.newBuilder(server.uri(path))
                                   .header("Authorization", "Bearer " + bearer)
                                   .header("Content-Type", "application/json")
                                   .method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Makes the user an admin directly in PostgreSQL (as an operator would for the first extra admin). */
    public static void promote(String username) {
        try (var c = java.sql.DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("UPDATE users SET role = 'admin' WHERE username = ?")) {
            ps.setString(1, username);
            assertEquals(1, ps.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** Registers a user, makes them an admin and returns a login token. */
    public static String admin(TestServer server, String username) {
        HttpResponse<String> r = server.postJson("/api/auth/register",
                "{\"username\":\"" + username + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        promote(username);
        return login(server, username, PASSWORD);
    }

    public static HttpResponse<String> post(TestServer server, String path, String bearer, String json) {
        return server.send(HttpRequest.newBuilder(server.uri(path))
                                   .header("Authorization", "Bearer " + bearer)
                                   .header("Content-Type", "application/json")
                                   .POST(HttpRequest.BodyPublishers.ofString(json)));
    }
}
