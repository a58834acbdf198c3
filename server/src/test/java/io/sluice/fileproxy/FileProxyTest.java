package io.sluice.fileproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.sluice.support.OriginSimulator;
import io.sluice.support.RawHttp;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Files streamed byte-identical from a real origin on a port; ranges, revalidation, traversal, access. */
class FileProxyTest {
    static final long SMALL = 10_000;
    static final long LARGE = 50L << 20;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static OriginSimulator origin;
    static TestServer server;

    @BeforeAll
    static void start() {
        origin = new OriginSimulator().file("small.bin", SMALL).file("large.bin", LARGE).file("dir/nested.txt", 100);
        server = TestServer.start(Map.of(
                "auth.enabled", "true",
                "auth.jwt-secret", "file-proxy-test-secret-0123456789abcdef",
                "auth.registration", "true",
                "fileproxy.origins.media.base-url", origin.baseUrl(),
                "fileproxy.origins.media.public", "true",
                "fileproxy.origins.media.header", "X-Origin-Token",
                "fileproxy.origins.media.header-value", "secret-token",
                "fileproxy.origins.private.base-url", origin.baseUrl(),
                "fileproxy.origins.redirecting.base-url", "http://127.0.0.1:" + origin.port() + "/",
                "fileproxy.origins.redirecting.public", "true"));
    }

    /** A fresh user's login token: the API's own credentials. */
    static String bearer() {
        String user = "fp-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String creds = "{\"username\":\"" + user + "\",\"password\":\"Tr0ub4dor&3-horse\"}";
        assertEquals(201, server.postJson("/api/auth/register", creds).statusCode());
        HttpResponse<String> login = server.postJson("/api/auth/login", creds);
        return "Bearer " + TestServer.json(login).path("token").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
        origin.close();
    }

    static HttpResponse<InputStream> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void smallAndLargeFilesArriveByteIdentical() throws Exception {
        for (long size : List.of(SMALL, LARGE)) {
            var r = get("/files/media/" + (size == SMALL ? "small.bin" : "large.bin"));
            assertEquals(200, r.statusCode());
            assertEquals(String.valueOf(size), r.headers().firstValue("content-length").orElseThrow());
            assertEquals("bytes", r.headers().firstValue("accept-ranges").orElseThrow());
            assertEquals("application/octet-stream", r.headers().firstValue("content-type").orElseThrow());
            assertTrue(r.headers().firstValue("etag").isPresent() && r.headers().firstValue("last-modified").isPresent());
            assertEquals(OriginSimulator.sha256(0, size), sha256(r.body()), "sha-256 of " + size + " bytes");
        }
        assertEquals(200, get("/files/media/dir/nested.txt").statusCode());
    }

    @Test
    void rangesPassThrough() throws Exception {
        record Case(String range, long from, long length, String contentRange) { }
        for (Case c : List.of(new Case("bytes=0-99", 0, 100, "bytes 0-99/" + SMALL),
                              new Case("bytes=4000-4999", 4000, 1000, "bytes 4000-4999/" + SMALL),
                              new Case("bytes=-500", SMALL - 500, 500, "bytes 9500-9999/" + SMALL))) {
            var r = get("/files/media/small.bin", "Range", c.range());
            assertEquals(206, r.statusCode(), c.range());
            assertEquals(c.contentRange(), r.headers().firstValue("content-range").orElseThrow());
            assertEquals(String.valueOf(c.length()), r.headers().firstValue("content-length").orElseThrow());
            assertEquals(OriginSimulator.sha256(c.from(), c.length()), sha256(r.body()), c.range());
        }
        var large = get("/files/media/large.bin", "Range", "bytes=" + (LARGE - 1000) + "-");
        assertEquals(206, large.statusCode());
        assertEquals(OriginSimulator.sha256(LARGE - 1000, 1000), sha256(large.body()));
        var unsatisfiable = get("/files/media/small.bin", "Range", "bytes=20000-");
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals("bytes */" + SMALL, unsatisfiable.headers().firstValue("content-range").orElseThrow());
        assertTrue(new String(unsatisfiable.body().readAllBytes()).contains("\"range_not_satisfiable\""));
        // Several ranges: whatever the origin answers passes through; this origin sends the whole file (RFC 9110 allows it).
        var multi = get("/files/media/small.bin", "Range", "bytes=0-9,20-29");
        assertEquals(200, multi.statusCode());
        assertEquals(OriginSimulator.sha256(0, SMALL), sha256(multi.body()));
    }

    @Test
    void validatorsGive304() throws Exception {
        var first = get("/files/media/small.bin");
        first.body().close();
        String etag = first.headers().firstValue("etag").orElseThrow();
        var byEtag = get("/files/media/small.bin", "If-None-Match", etag);
        assertEquals(304, byEtag.statusCode());
        assertEquals(etag, byEtag.headers().firstValue("etag").orElseThrow());
        var byDate = get("/files/media/small.bin", "If-Modified-Since", OriginSimulator.LAST_MODIFIED);
        assertEquals(304, byDate.statusCode());
    }

    @Test
    void headAnswersTheHeadersOnly() throws Exception {
        var r = CLIENT.send(HttpRequest.newBuilder(server.uri("/files/media/large.bin"))
                                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(LARGE), r.headers().firstValue("content-length").orElseThrow());
        assertEquals(0, r.body().length);
    }

    @Test
    void traversalAttemptsAre400() throws Exception {
        for (String path : List.of("/files/media/../private/small.bin", "/files/media/%2e%2e/private/small.bin",
                                   "/files/media/%2E%2E%2Fsmall.bin", "/files/media/dir%2fnested.txt",
                                   "/files/media/..%5csmall.bin", "/files/media/dir\\nested.txt",
                                   "/files/media/small.bin%00.txt", "/files/media/./small.bin",
                                   "/files/media//small.bin", "/files/../config.yaml", "/files/media/%252e%252e/x")) {
            RawHttp.Answer a = RawHttp.get(server.port(), path);
            assertEquals(400, a.status(), path + " -> " + a.body());
            // A raw backslash never reaches the router: Helidon's request-line parser refuses it first (JSON bad_request).
            String code = path.contains("\\") ? "\"bad_request\"" : "\"invalid_path\"";
            assertTrue(a.body().contains(code), path + " -> " + a.body());
        }
    }

    @Test
    void unknownOriginIs404AndRedirectsAreNotFollowed() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/files/nowhere/small.bin"))
                                                     .header("Authorization", bearer()));
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("origin_not_found"), r.body());
        HttpResponse<String> missing = server.get("/files/media/missing.bin");   // the origin's own 404 (an HTML page)
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("\"file_not_found\"") && !missing.body().contains(OriginSimulator.ERROR_PAGE_MARK),
                   missing.body());
        HttpResponse<String> redirected = server.get("/files/redirecting/redirect");
        assertEquals(502, redirected.statusCode());
        assertTrue(redirected.body().contains("upstream_invalid_response"), redirected.body());
    }

    @Test
    void aPrivateOriginNeedsTheApiCredentials() throws Exception {
        HttpResponse<String> r = server.get("/files/private/small.bin");
        assertEquals(401, r.statusCode(), r.body());
        var authorized = get("/files/private/small.bin", "Authorization", bearer());
        assertEquals(200, authorized.statusCode());
        assertEquals(OriginSimulator.sha256(0, SMALL), sha256(authorized.body()));
        HttpResponse<String> stats = server.get("/stats");   // an operator endpoint, like /metrics
        assertEquals(200, stats.statusCode());
        assertTrue(TestServer.json(stats).path("origins").has("media"), stats.body());
    }
}
