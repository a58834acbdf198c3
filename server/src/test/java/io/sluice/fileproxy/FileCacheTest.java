package io.sluice.fileproxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import io.sluice.support.OriginSimulator;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Small files from the two-level cache: a second GET never reaches the origin, ranges, validators and
 * HEAD are answered from the cached copy, and what must not be kept (too large, no-store, private)
 * reaches the origin every time. Origin requests are counted at the origin itself.
 */
class FileCacheTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final long SMALL = 10_000;
    static final long LARGE = 1L << 20;

    static OriginSimulator origin;
    static TestServer server;

    @BeforeAll
    static void start() {
        origin = new OriginSimulator().file("small.bin", SMALL).file("ranged.bin", SMALL).file("head.bin", SMALL)
                .file("large.bin", LARGE).file("nostore.bin", 5_000).file("private.bin", 5_000).file("short.bin", 3_000)
                .file("plain.bin", 2_000);
        origin.cacheControl.put("nostore.bin", "no-store");
        origin.cacheControl.put("private.bin", "private, max-age=600");
        origin.cacheControl.put("short.bin", "public, max-age=1");
        server = TestServer.start(Map.of(
                "fileproxy.origins.cached.base-url", origin.baseUrl(),
                "fileproxy.origins.cached.public", "true",
                "fileproxy.origins.cached.cache-max-file-size", "64KB",
                "fileproxy.origins.plain.base-url", origin.baseUrl(),
                "fileproxy.origins.plain.public", "true"));
    }

    @AfterAll
    static void stop() {
        server.close();
        origin.close();
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }

    static String cache(HttpResponse<?> r) {
        return r.headers().firstValue("x-sluice-cache").orElse("none");
    }

    static byte[] content(long from, int length) {
        byte[] b = new byte[length];
        OriginSimulator.fill(b, from, length);
        return b;
    }

    @Test
    void theSecondGetIsServedWithoutAnOriginRequest() throws Exception {
        HttpResponse<byte[]> first = get("/files/cached/small.bin");
        assertEquals(200, first.statusCode());
        assertEquals("miss", cache(first));
        assertEquals(OriginSimulator.sha256(0, SMALL), sha256(first.body()));
        int before = origin.requests();
        HttpResponse<byte[]> second = get("/files/cached/small.bin");
        assertEquals(200, second.statusCode());
        assertEquals("hit", cache(second));
        assertEquals(OriginSimulator.sha256(0, SMALL), sha256(second.body()));
        assertEquals(first.headers().firstValue("etag"), second.headers().firstValue("etag"));
        assertEquals("application/octet-stream", second.headers().firstValue("content-type").orElseThrow());
        assertEquals(before, origin.requests(), "a hit must not reach the origin");
    }

    @Test
    void rangesAndValidatorsAreAnsweredFromTheCachedCopy() throws Exception {
        HttpResponse<byte[]> range = get("/files/cached/ranged.bin", "Range", "bytes=100-199");   // a miss: loads the whole file
        assertEquals(206, range.statusCode());
        assertEquals("bytes 100-199/" + SMALL, range.headers().firstValue("content-range").orElseThrow());
        assertArrayEquals(content(100, 100), range.body());
        String etag = get("/files/cached/ranged.bin").headers().firstValue("etag").orElseThrow();
        int before = origin.requests();

        HttpResponse<byte[]> middle = get("/files/cached/ranged.bin", "Range", "bytes=5000-5099");
        assertEquals(206, middle.statusCode());
        assertEquals("hit", cache(middle));
        assertArrayEquals(content(5000, 100), middle.body());
        HttpResponse<byte[]> suffix = get("/files/cached/ranged.bin", "Range", "bytes=-10");
        assertEquals("bytes 9990-9999/" + SMALL, suffix.headers().firstValue("content-range").orElseThrow());
        assertArrayEquals(content(SMALL - 10, 10), suffix.body());
        HttpResponse<byte[]> open = get("/files/cached/ranged.bin", "Range", "bytes=9000-");
        assertArrayEquals(content(9000, 1000), open.body());
        HttpResponse<byte[]> past = get("/files/cached/ranged.bin", "Range", "bytes=20000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */" + SMALL, past.headers().firstValue("content-range").orElseThrow());
        assertTrue(new String(past.body()).contains("\"range_not_satisfiable\""), new String(past.body()));
        HttpResponse<byte[]> several = get("/files/cached/ranged.bin", "Range", "bytes=0-9,20-29");
        assertEquals(200, several.statusCode());
        assertEquals(SMALL, several.body().length);
        HttpResponse<byte[]> otherVersion = get("/files/cached/ranged.bin", "Range", "bytes=0-9", "If-Range", "\"other\"");
        assertEquals(200, otherVersion.statusCode());
        assertEquals(SMALL, otherVersion.body().length);

        assertEquals(304, get("/files/cached/ranged.bin", "If-None-Match", etag).statusCode());
        assertEquals(304, get("/files/cached/ranged.bin", "If-None-Match", "\"x\", W/" + etag).statusCode());
        assertEquals(304, get("/files/cached/ranged.bin", "If-Modified-Since", OriginSimulator.LAST_MODIFIED).statusCode());
        assertEquals(200, get("/files/cached/ranged.bin", "If-None-Match", "\"stale\"").statusCode());
        assertEquals(200, get("/files/cached/ranged.bin", "If-Modified-Since", "Tue, 20 Oct 2026 07:28:00 GMT").statusCode());
        assertEquals(before, origin.requests(), "all of these come from the cached copy");
    }

    @Test
    void headIsAnsweredFromTheCacheToo() throws Exception {
        assertEquals("miss", cache(get("/files/cached/head.bin")));
        int before = origin.requests();
        HttpResponse<byte[]> head = CLIENT.send(HttpRequest.newBuilder(server.uri("/files/cached/head.bin"))
                                                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                                                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals("hit", cache(head));
        assertEquals(String.valueOf(SMALL), head.headers().firstValue("content-length").orElseThrow());
        assertEquals(0, head.body().length);
        assertEquals(before, origin.requests());
    }

    @Test
    void aFileAboveTheLimitIsNeverCached() throws Exception {
        for (int i = 0; i < 3; i++) {
            int before = origin.requests();
            HttpResponse<byte[]> r = get("/files/cached/large.bin");
            assertEquals(200, r.statusCode());
            assertEquals("bypass", cache(r));
            assertEquals(OriginSimulator.sha256(0, LARGE), sha256(r.body()));
            assertTrue(origin.requests() > before, "each GET of a large file goes to the origin");
        }
        HttpResponse<byte[]> range = get("/files/cached/large.bin", "Range", "bytes=500000-500099");
        assertEquals(206, range.statusCode());
        assertArrayEquals(content(500_000, 100), range.body());
    }

    @Test
    void noStoreAndPrivateAreNotCached() throws Exception {
        for (String file : new String[] {"nostore.bin", "private.bin"}) {
            for (int i = 0; i < 2; i++) {
                int before = origin.requests();
                HttpResponse<byte[]> r = get("/files/cached/" + file);
                assertEquals(200, r.statusCode());
                assertEquals("bypass", cache(r), file);
                assertEquals(5_000, r.body().length);
                assertTrue(origin.requests() > before, file + " must reach the origin every time");
            }
        }
    }

    @Test
    void aShortMaxAgeIsHonoured() throws Exception {
        assertEquals("miss", cache(get("/files/cached/short.bin")));
        int before = origin.requests();
        // max-age=1: after a second the copy is stale and the next GET loads it again.
        TestServer.await("the cached copy went stale and was loaded again", Duration.ofSeconds(10), () -> {
            try {
                Thread.sleep(200);
                return cache(get("/files/cached/short.bin")).equals("miss");
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(origin.requests() > before);
    }

    @Test
    void anOriginWithoutCachingSaysNothingAboutIt() throws Exception {
        for (int i = 0; i < 2; i++) {
            int before = origin.requests();
            HttpResponse<byte[]> r = get("/files/plain/plain.bin");
            assertEquals(200, r.statusCode());
            assertEquals("none", cache(r));
            assertTrue(origin.requests() > before);
        }
    }
}
