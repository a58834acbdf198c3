package io.sluice.respcache;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.sluice.infra.Embedded;
import io.sluice.support.TestGateway;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis stopped: a cached model's requests still succeed, marked {@code bypass}, each within the
 * Redis timeouts. Its own Redis and server (auth off: with auth on, a JWT whose revocation cannot be
 * checked is refused by design, which is not the cache's behaviour to show).
 */
class CacheRedisDownTest {

    @Test
    void redisDownBypassesTheCacheAndStillAnswers() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "respcache-redis-");
        Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"));
        try (TestGateway gateway = TestGateway.start("fake", Map.of(
                "redis.url", redis.url(), "redis.max-wait", "500ms", "redis.connect-timeout", "300ms",
                "llm.models.cached.route", "fake:up", "llm.models.cached.cache.mode", "exact"))) {
            assertEquals("miss", cache(chat(gateway, false)));
            assertEquals("hit", cache(chat(gateway, false)));
            redis.close();
            for (boolean stream : new boolean[] {false, true, false, false}) {
                long start = System.nanoTime();
                HttpResponse<String> res = chat(gateway, stream);
                assertEquals(200, res.statusCode(), res.body());
                assertEquals("bypass", cache(res));
                assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), "bounded by the Redis timeouts");
            }
            assertEquals(5, gateway.upstream().calls());
        } finally {
            redis.close();
        }
    }

    private static HttpResponse<String> chat(TestGateway gateway, boolean stream) {
        String body = "{\"model\":\"cached\",\"temperature\":0,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"is redis up?\"}]}";
        return gateway.server().send(HttpRequest.newBuilder(gateway.server().uri("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String cache(HttpResponse<String> res) {
        return res.headers().firstValue("X-Sluice-Cache").orElse(null);
    }
}
