package io.sluice.http;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A header block over server.protocols.http_1_1.max-headers-size (16 KB) is 431 with the JSON error, as documented. */
class HeaderLimitTest {

    @Test
    void oversizeHeaderBlockIs431Json() {
        try (TestServer s = TestServer.start(Map.of())) {
            HttpResponse<String> r = s.send(HttpRequest.newBuilder(s.uri("/health")).header("X-Big", "a".repeat(20_000)).GET());
            assertEquals(431, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
            assertEquals("bad_request", json(r).at("/error/code").asText(), r.body());
            assertEquals(200, s.get("/health").statusCode(), "a normal request still works");
        }
    }
}
