package io.sluice.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nobody can lock another person out: wrong passwords from one client address are refused (429)
 * for that address only. The server sees the TCP peer address (there is no trusted-proxy header),
 * so the test connects from two loopback addresses, 127.0.0.2 (the attacker) and 127.0.0.3.
 */
class LoginThrottleTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true",
                                         "auth.jwt-secret", "throttle-test-secret-0123456789abcdefghijklmnop",
                                         "auth.login-attempts", "3", "auth.login-attempts-per-ip", "8",
                                         "auth.login-account-attempts", "6", "auth.login-account-delay", "300ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void wrongPasswordsFromOneAddressDoNotLockTheOwnerOut() {
        String victim = Users.fresh("victim");
        Users.registerAndLogin(server, victim);   // from 127.0.0.1
        int[] attacker = new int[5];
        for (int i = 0; i < attacker.length; i++) {
            attacker[i] = login("127.0.0.2", victim, "wrong-password-" + i).statusCode();
        }
        assertEquals(401, attacker[0]);
        assertEquals(429, attacker[3], "the attacking address is throttled for this account");
        assertEquals(429, login("127.0.0.2", victim, Users.PASSWORD).statusCode(), "even with the right password, from there");

        HttpResponse<String> owner = login("127.0.0.3", victim, Users.PASSWORD);
        assertEquals(200, owner.statusCode(), "the right password from a clean address works: " + owner.body());
        assertTrue(TestServer.json(owner).path("token").asText().contains("."));
    }

    @Test
    void oneAddressTryingManyAccountsIsThrottled() {
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            if (login("127.0.0.4", Users.fresh("spray"), "wrong-password-x").statusCode() == 429) {
                refused++;
            }
        }
        assertEquals(2, refused, "8 attempts per address, whatever the account");
        String user = Users.fresh("bystander");
        Users.registerAndLogin(server, user);
        assertEquals(200, login("127.0.0.5", user, Users.PASSWORD).statusCode(), "other addresses are untouched");
    }

    @Test
    void pastTheAccountCapAttemptsAreSlowedNotRefused() {
        String victim = Users.fresh("distributed");
        Users.registerAndLogin(server, victim);   // 1 of the account's 6
        for (int i = 0; i < 5; i++) {
            assertEquals(401, login("127.0.1." + (10 + i), victim, "wrong-password-y").statusCode());
        }
        long start = System.nanoTime();
        HttpResponse<String> owner = login("127.0.1.99", victim, Users.PASSWORD);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, owner.statusCode(), "over the account cap the owner still gets in: " + owner.body());
        assertTrue(ms >= 250, "but the attempt was slowed by auth.login-account-delay (took " + ms + " ms)");
    }

    private static HttpResponse<String> login(String from, String username, String password) {
        try {
            HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName(from))
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            try {
                return client.send(HttpRequest.newBuilder(server.uri("/api/auth/login"))
                                           .header("Content-Type", "application/json")
                                           .timeout(Duration.ofSeconds(30))
                                           .POST(HttpRequest.BodyPublishers.ofString(
                                                   "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"))
                                           .build(), HttpResponse.BodyHandlers.ofString());
            } finally {
                client.shutdownNow();   // the answer is read; close() would wait on the idle keep-alive connection
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
