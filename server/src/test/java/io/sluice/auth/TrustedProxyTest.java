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

/**
 * Behind a load balancer every connection comes from the balancer. With it configured as a trusted
 * proxy (here 127.0.0.10/31 stands for it), per-address protections see the client named in
 * X-Forwarded-For, so one attacker behind the balancer does not throttle everybody; from anybody
 * else the header is ignored, and a client cannot escape a throttle by writing the header itself.
 */
class TrustedProxyTest {
    private static final String PROXY = "127.0.0.10";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true",
                                         "auth.jwt-secret", "proxy-test-secret-0123456789abcdefghijklmnop",
                                         "auth.login-attempts", "3", "auth.login-attempts-per-ip", "50",
                                         "security.trusted-proxies", "127.0.0.10/31, ::1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void clientsBehindTheTrustedProxyAreToldApart() {
        String victim = Users.fresh("behind");
        Users.registerAndLogin(server, victim);
        for (int i = 0; i < 3; i++) {
            assertEquals(401, login(PROXY, "203.0.113.7", victim, "wrong-password-" + i).statusCode());
        }
        assertEquals(429, login(PROXY, "203.0.113.7", victim, Users.PASSWORD).statusCode(), "the attacker behind the proxy");
        HttpResponse<String> owner = login(PROXY, "203.0.113.8", victim, Users.PASSWORD);
        assertEquals(200, owner.statusCode(), "another client behind the same proxy gets in: " + owner.body());
    }

    @Test
    void onlyTheHopTheTrustedProxyAppendedIsBelieved() {
        String victim = Users.fresh("spoofleft");
        Users.registerAndLogin(server, victim);
        for (int i = 0; i < 3; i++) {   // the client writes a new left-hand entry each time; the proxy appends the real one
            login(PROXY, "198.51.100." + i + ", 203.0.113.20", victim, "wrong-password-" + i);
        }
        assertEquals(429, login(PROXY, "198.51.100.99, 203.0.113.20", victim, Users.PASSWORD).statusCode(),
                     "still the same client: 203.0.113.20");
    }

    @Test
    void theHeaderFromAnUntrustedPeerIsIgnored() {
        String victim = Users.fresh("spoofdirect");
        Users.registerAndLogin(server, victim);
        for (int i = 0; i < 3; i++) {
            login("127.0.0.20", "203.0.113." + (100 + i), victim, "wrong-password-" + i);
        }
        assertEquals(429, login("127.0.0.20", "203.0.113.200", victim, Users.PASSWORD).statusCode(),
                     "a direct client cannot pose as someone else");
    }

    private static HttpResponse<String> login(String from, String forwardedFor, String username, String password) {
        try {
            HttpClient client = HttpClient.newBuilder().localAddress(InetAddress.getByName(from))
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            try {
                return client.send(HttpRequest.newBuilder(server.uri("/api/auth/login"))
                                           .header("Content-Type", "application/json")
                                           .header("X-Forwarded-For", forwardedFor)
                                           .timeout(Duration.ofSeconds(30))
                                           .POST(HttpRequest.BodyPublishers.ofString(
                                                   "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}"))
                                           .build(), HttpResponse.BodyHandlers.ofString());
            } finally {
                client.shutdownNow();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
