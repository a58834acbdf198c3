package io.sluice.ratelimit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.sluice.infra.Embedded;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With Redis stopped the limiter falls back as configured: per-instance buckets, or refusing (closed). */
class RedisDownTest {

    private static Map<String, String> config(Embedded.Handle redis, String mode) {
        return Map.of("redis.url", redis.url(), "redis.max-wait", "500ms", "redis.connect-timeout", "300ms",
                      "ratelimit.enabled", "true", "ratelimit.per-ip", "5", "ratelimit.window", "1h",
                      "ratelimit.redis-down", mode, "ratelimit.redis-retry", "60s",
                      "ratelimit.redis-prefix", "test:rl:" + UUID.randomUUID() + ":");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void fallbackFollowsConfiguration() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "redis-down-");
        Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"));
        try (TestServer local = TestServer.start(config(redis, "local"));
             TestServer closed = TestServer.start(config(redis, "closed"))) {
            assertEquals(200, local.get("/v1/models").statusCode(), "Redis up: shared bucket");
            assertEquals(200, closed.get("/v1/models").statusCode());
            redis.close();

            for (int i = 0; i < 5; i++) {   // a fresh per-instance bucket of 5
                assertEquals(200, local.get("/v1/models").statusCode(), "request " + i);
            }
            assertEquals(429, local.get("/v1/models").statusCode(), "per-instance buckets still limit");
            String metrics = local.get("/observe/metrics").body();
            assertTrue(metrics.matches("(?s).*sluice_ratelimit_fallback(\\{[^}]*})? 1\\.0.*"), "fallback gauge is 1");
            // Logging is per JVM: the server started last writes the log for both.
            // The file appender flushes in batches, so the line may reach the file a moment later.
            Path log = closed.logDir().resolve("server.log");
            TestServer.await("a WARN saying Redis is unreachable", Duration.ofSeconds(10),
                    () -> read(log).contains("rate limiter: Redis unreachable"));

            var refused = closed.get("/v1/models");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("rate_limiter_unavailable", TestServer.json(refused).path("error").path("code").asText());
            assertEquals(200, closed.get("/health").statusCode(), "health is never limited");
        } finally {
            redis.close();
        }
    }
}
