package io.sluice.security;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Security headers on every kind of response; hostile bodies get 4xx; CORS only when configured. */
class SecurityHeadersTest {

    private static void assertSecurityHeaders(HttpResponse<String> r) {
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), r.uri().toString());
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(""));
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'none'"));
        assertTrue(r.headers().firstValue("Cache-Control").orElse("").contains("no-store"));
    }

    @Test
    void headersOnEveryResponseAndHostileBodiesAre4xx() {
        try (TestServer s = TestServer.start(Map.of("auth.enabled", "true"))) {
            assertSecurityHeaders(s.get("/health"));
            assertSecurityHeaders(s.get("/v1/models"));          // 401
            assertSecurityHeaders(s.get("/no/such/path"));
            HttpResponse<String> huge = s.send(HttpRequest.newBuilder(s.uri("/health")).header("X-Big", "a".repeat(20_000)).GET());
            assertEquals(431, huge.statusCode(), "oversize headers");
            assertSecurityHeaders(huge);
            assertFalse(s.get("/health").headers().firstValue("Access-Control-Allow-Origin").isPresent(), "CORS off by default");
            // server.protocols.http_1_1 from config.yaml still applies (max-prologue-length 4096, Helidon's default is 2048).
            assertEquals(401, s.get("/v1/" + "a".repeat(3000)).statusCode());
            int tooLong = s.get("/v1/" + "a".repeat(5000)).statusCode();
            assertTrue(tooLong == 414 || tooLong == 400, "request line over the limit: " + tooLong);
        }
        try (TestServer s = TestServer.start(Map.of())) {
            byte[] badUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}'};
            HttpResponse<String> r = s.send(HttpRequest.newBuilder(s.uri("/diag/echo")).header("Content-Type", "application/json")
                                                    .POST(HttpRequest.BodyPublishers.ofByteArray(badUtf8)));
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(415, s.send(HttpRequest.newBuilder(s.uri("/diag/echo")).header("Content-Type", "text/plain")
                                             .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
            assertEquals(400, s.postJson("/diag/echo", "[".repeat(500) + "]".repeat(500)).statusCode());
            assertEquals(400, s.postJson("/diag/echo", "{\"a\":").statusCode());
        }
    }

    @Test
    void corsWhenConfigured() {
        try (TestServer s = TestServer.start(Map.of("cors.enabled", "true", "cors.allowed-origins", "https://app.example.com",
                                                    "auth.enabled", "true"))) {
            HttpResponse<String> preflight = s.send(HttpRequest.newBuilder(s.uri("/v1/chat/completions"))
                    .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertEquals(204, preflight.statusCode(), "preflight is answered before auth");
            assertEquals("https://app.example.com", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").contains("Authorization"));
            HttpResponse<String> other = s.send(HttpRequest.newBuilder(s.uri("/health")).header("Origin", "https://evil.example").GET());
            assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent());
        }
    }
}
