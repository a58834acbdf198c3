package io.sluice.ratelimit;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-IP and per-key token buckets in Redis: the 101st request is refused, and instances share the budget. */
class RateLimitTest {

    private static Map<String, String> limits(String prefix, String perIp, String perClient, boolean auth) {
        return Map.of("ratelimit.enabled", "true", "ratelimit.redis-prefix", prefix, "ratelimit.per-ip", perIp,
                      "ratelimit.per-client", perClient, "ratelimit.window", "1h",   // refill is negligible during the test
                      "auth.enabled", String.valueOf(auth), "auth.registration", "true");
    }

    @Test
    void the101stRequestIsRefusedAndTwoInstancesShareOneBudget() {
        String prefix = "test:rl:shared:" + UUID.randomUUID() + ":";
        try (TestServer a = TestServer.start(limits(prefix, "100", "100", false));
             TestServer b = TestServer.start(limits(prefix, "100", "100", false))) {
            for (int i = 1; i <= 100; i++) {
                TestServer s = i % 2 == 0 ? a : b;
                HttpResponse<String> r = s.get("/v1/models");
                assertEquals(200, r.statusCode(), "request " + i + ": " + r.body());
                assertEquals("100", r.headers().firstValue("X-RateLimit-Limit").orElse(""));
                assertEquals(String.valueOf(100 - i), r.headers().firstValue("X-RateLimit-Remaining").orElse(""));
                assertTrue(r.headers().firstValue("X-RateLimit-Reset").isPresent());
            }
            for (TestServer s : new TestServer[] {a, b}) {
                HttpResponse<String> r = s.get("/v1/models");
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("rate_limit_error", TestServer.json(r).path("error").path("type").asText());
                assertEquals("100", r.headers().firstValue("X-RateLimit-Limit").orElse(""));
                assertEquals("0", r.headers().firstValue("X-RateLimit-Remaining").orElse(""));
                assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElse("0")) >= 1);
                assertTrue(Long.parseLong(r.headers().firstValue("X-RateLimit-Reset").orElse("0")) >= 1);
            }
            assertEquals(200, a.get("/health").statusCode(), "health and metrics are never limited");
            assertEquals(200, a.get("/observe/metrics").statusCode());
            assertTrue(a.get("/observe/metrics").body().contains("sluice_ratelimit_rejected_total"));
        }
    }

    @Test
    void eachApiKeyHasItsOwnBucket() {
        try (TestServer s = TestServer.start(limits("test:rl:" + UUID.randomUUID() + ":", "1000", "5", true))) {
            String first = key(s);
            String second = key(s);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, get(s, first).statusCode());
            }
            HttpResponse<String> refused = get(s, first);
            assertEquals(429, refused.statusCode());
            assertEquals("5", refused.headers().firstValue("X-RateLimit-Limit").orElse(""));
            assertEquals(200, get(s, second).statusCode(), "another key still has its budget");
        }
    }

    private static HttpResponse<String> get(TestServer s, String key) {
        return s.send(HttpRequest.newBuilder(s.uri("/v1/models")).header("Authorization", "Bearer " + key).GET());
    }

    private static String key(TestServer s) {
        String user = "rl-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "Tr0ub4dor&3-horse";
        assertEquals(201, s.postJson("/api/auth/register",
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}").statusCode());
        String token = TestServer.json(s.postJson("/api/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")).path("token").asText();
        HttpResponse<String> created = s.send(HttpRequest.newBuilder(s.uri("/api/keys"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(201, created.statusCode(), created.body());
        return TestServer.json(created).path("key").asText();
    }
}
