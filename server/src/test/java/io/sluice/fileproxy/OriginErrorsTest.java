package io.sluice.fileproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.OriginSimulator;
import io.sluice.support.RawHttp;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An origin's error answers become Sluice's JSON errors: the origin's own page (HTML here, with a mark in it)
 * never reaches the client, on GET or HEAD, on a plain origin or one that caches small files.
 */
class OriginErrorsTest {
    static OriginSimulator origin;
    static TestServer server;

    /** The caching origin's name is this class's own: the L2 cache (Redis) is shared with FileCacheTest's server. */
    @BeforeAll
    static void start() {
        origin = new OriginSimulator().file("small.bin", 1000);
        for (var e : Map.of("gone.bin", 410, "forbidden.bin", 403, "unauthorized.bin", 401, "broken.bin", 500,
                            "unavailable.bin", 503, "legal.bin", 451, "busy.bin", 429, "precondition.bin", 412).entrySet()) {
            origin.errors.put(e.getKey(), e.getValue());
        }
        server = TestServer.start(Map.of(
                "fileproxy.origins.media.base-url", origin.baseUrl(),
                "fileproxy.origins.media.public", "true",
                "fileproxy.origins.errcache.base-url", origin.baseUrl(),
                "fileproxy.origins.errcache.public", "true",
                "fileproxy.origins.errcache.cache-max-file-size", "64KB"));
    }

    @AfterAll
    static void stop() {
        server.close();
        origin.close();
    }

    /** The answer is Sluice's JSON error with this status and code, and nothing of the origin's page. */
    static JsonNode assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow(), r.body());
        assertFalse(r.body().contains(OriginSimulator.ERROR_PAGE_MARK) || r.body().contains("<html"), r.body());
        JsonNode error = TestServer.json(r).path("error");
        assertEquals(code, error.path("code").asText(), r.body());
        assertFalse(error.path("request_id").asText().isEmpty(), r.body());
        return error;
    }

    @Test
    void aMissingOrGoneFileIs404FileNotFoundNamingOriginAndPath() {
        for (String file : List.of("missing.bin", "dir/missing.txt", "gone.bin")) {
            for (String originName : List.of("media", "errcache")) {
                HttpResponse<String> r = server.get("/files/" + originName + "/" + file);
                String message = assertError(r, 404, "file_not_found").path("message").asText();
                assertTrue(message.contains("origin " + originName) && message.contains("'" + file + "'"), message);
            }
        }
    }

    @Test
    void refusedCredentialsAreTheGatewaysProblem502() {
        for (String file : List.of("forbidden.bin", "unauthorized.bin")) {
            String message = assertError(server.get("/files/media/" + file), 502, "upstream_auth_failed").path("message").asText();
            assertTrue(message.contains("fileproxy.origins.media.header"), message);
        }
    }

    @Test
    void originFailuresAre502AndOther4xx502NamingTheStatus() {
        assertError(server.get("/files/media/broken.bin"), 502, "upstream_error");
        assertError(server.get("/files/media/unavailable.bin"), 502, "upstream_error");
        assertError(server.get("/files/errcache/broken.bin"), 502, "upstream_error");
        String message = assertError(server.get("/files/media/legal.bin"), 502, "upstream_error").path("message").asText();
        assertTrue(message.contains("451"), message);
    }

    @Test
    void anOriginThatRateLimitsIs503WithItsRetryAfter() {
        HttpResponse<String> r = server.get("/files/media/busy.bin");
        assertError(r, 503, "upstream_rate_limited");
        assertEquals("7", r.headers().firstValue("retry-after").orElseThrow());
    }

    @Test
    void theClientsOwnPreconditionAndRangeKeepTheirStatusAsJson() throws Exception {
        HttpResponse<String> precondition = server.send(HttpRequest.newBuilder(server.uri("/files/media/precondition.bin"))
                                                                .header("If-Match", "\"v1\""));
        assertError(precondition, 412, "precondition_failed");
        for (String originName : List.of("media", "errcache")) {   // the origin's 416, and the cached copy's
            HttpResponse<String> range = server.send(HttpRequest.newBuilder(server.uri("/files/" + originName + "/small.bin"))
                                                             .header("Range", "bytes=5000-"));
            assertError(range, 416, "range_not_satisfiable");
            assertEquals("bytes */1000", range.headers().firstValue("content-range").orElseThrow(), originName);
        }
    }

    @Test
    void headGetsTheSameStatusAndHeadersWithoutABody() throws Exception {
        record Case(String path, int status) { }
        for (Case c : List.of(new Case("/files/media/missing.bin", 404), new Case("/files/media/forbidden.bin", 502),
                              new Case("/files/media/broken.bin", 502), new Case("/files/errcache/missing.bin", 404),
                              new Case("/files/media/busy.bin", 503))) {
            RawHttp.Head head = RawHttp.head(server.port(), c.path());
            assertEquals(c.status(), head.status(), c.path() + "\n" + head.headers());
            assertEquals("application/json", head.header("content-type"), c.path() + "\n" + head.headers());
            assertTrue(Integer.parseInt(head.header("content-length")) > 0, "the GET's length: " + head.headers());
            assertEquals("HTTP/1.1 ", head.next(), c.path() + ": a HEAD answer has no body; the next answer follows at once");
        }
    }

    @Test
    void anErrorIsNeverKeptAsAFile() {
        assertError(server.get("/files/errcache/later.bin"), 404, "file_not_found");
        origin.file("later.bin", 500);
        // The file exists now: it is served at once ("not cacheable" may be remembered for a while: then streamed).
        HttpResponse<String> r = server.get("/files/errcache/later.bin");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("500", r.headers().firstValue("content-length").orElseThrow());
        assertEquals("application/octet-stream", r.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void smallErrorPagesAreReadSoTheOriginConnectionIsReused() {
        assertError(server.get("/files/media/missing.bin"), 404, "file_not_found");   // one pooled connection at least
        int before = origin.acceptedConnections();
        for (int i = 0; i < 10; i++) {
            assertError(server.get("/files/media/missing-" + i + ".bin"), 404, "file_not_found");
        }
        assertEquals(before, origin.acceptedConnections(), "ten 404 pages over the kept-alive connection, no new one");
    }
}
