package io.sluice.cache;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.sluice.support.TcpProxy;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.cache.CacheProbe.sceneJson;
import static io.sluice.cache.CacheProbe.stat;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis taken away (a TCP proxy cut) under a running server: cached reads go on from L1, the rest
 * from PostgreSQL, nothing fails or waits; a write made meanwhile is replayed into Redis once it is
 * back and the subscription reconnects. And the warm-up: hot keys recorded by one instance are in
 * the next one's L1 when it starts.
 */
class CacheOutageTest {
    private static final long FAST_MS = 1000;

    private static String template(TestServer s, String scene) {
        HttpResponse<String> r = s.get("/api/llmchat/prompts/" + scene);
        assertEquals(200, r.statusCode(), r.body());
        return json(r).path("template").asText();
    }

    private static long timedMs(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void redisDownServesL1AndPostgresAndReplaysWritesWhenBack() {
        String prefix = "test:cache:" + UUID.randomUUID() + ":";
        URI target = URI.create(TestInfra.redisUrl());
        try (TcpProxy redis = new TcpProxy(target.getHost(), target.getPort());
             TestServer s = TestServer.start(Map.of("redis.url", "redis://127.0.0.1:" + redis.port(),
                                                    "redis.max-wait", "500ms", "redis.connect-timeout", "500ms",
                                                    "tasks.role", "api", "cache.redis-prefix", prefix));
             Jedis direct = new Jedis(target)) {
            TestServer.await("subscribed", Duration.ofSeconds(10),
                             () -> json(s.get("/metrics")).path("caches").path("l1_trusted").asBoolean());
            String cached = "held-" + UUID.randomUUID().toString().substring(0, 8);
            String uncached = "cold-" + UUID.randomUUID().toString().substring(0, 8);
            assertEquals(201, s.postJson("/api/llmchat/prompts", sceneJson(cached, "v1")).statusCode());
            assertEquals(201, s.postJson("/api/llmchat/prompts", sceneJson(uncached, "cold")).statusCode());
            assertEquals("v1", template(s, cached));
            assertTrue(direct.exists(prefix + "scenes:v:" + cached), "in L2 too");

            redis.cut();
            TestServer.await("redis known down", Duration.ofSeconds(10),
                             () -> s.get("/observe/health/ready").statusCode() == 503);
            long hits = stat(s, "scenes", "hits");
            long loads = stat(s, "scenes", "loads");
            assertTrue(timedMs(() -> assertEquals("v1", template(s, cached))) < FAST_MS);
            assertEquals(hits + 1, stat(s, "scenes", "hits"), "served from L1");
            assertTrue(timedMs(() -> assertEquals("cold", template(s, uncached))) < FAST_MS);
            assertEquals(loads + 1, stat(s, "scenes", "loads"), "the uncached one from PostgreSQL");

            HttpResponse<String> put = s.send(HttpRequest.newBuilder(s.uri("/api/llmchat/prompts/" + cached))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(sceneJson(cached, "v2"))));
            assertEquals(200, put.statusCode(), "a write does not fail because Redis is down: " + put.body());
            assertEquals("v2", template(s, cached), "read-after-write holds on this instance");
            assertEquals(1, json(s.get("/metrics")).path("caches").path("pending_invalidations").asInt());

            redis.restore();
            TestServer.await("resubscribed and the invalidation replayed", Duration.ofSeconds(15), () -> {
                var caches = json(s.get("/metrics")).path("caches");
                return caches.path("l1_trusted").asBoolean() && caches.path("pending_invalidations").asInt() == 0
                       && s.get("/observe/health/ready").statusCode() == 200;
            });
            String stored = direct.get(prefix + "scenes:v:" + cached);
            assertTrue(stored == null || stored.contains("v2"), "the old value is gone from Redis: " + stored);
            assertEquals(1L, direct.pubsubNumSub(prefix + "invalidate").get(prefix + "invalidate"), "one subscriber again");
            assertEquals("v2", template(s, cached));
        }
    }

    @Test
    void hotKeysOfOneInstanceAreInTheNextOnesMemoryAtStart() {
        Map<String, String> config = Map.of("cache.redis-prefix", "test:cache:" + UUID.randomUUID() + ":",
                                            "cache.warmup.keys", "10");
        String hot = "hot-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestServer first = TestServer.start(config)) {
            assertEquals(201, first.postJson("/api/llmchat/prompts", sceneJson(hot, "warm")).statusCode());
            for (int i = 0; i < 5; i++) {
                assertEquals("warm", template(first, hot));
            }
        }   // stopping records its hottest keys in Redis
        try (TestServer next = TestServer.start(config)) {
            TestServer.await("warmed up", Duration.ofSeconds(10), () -> stat(next, "scenes", "warmed") >= 1);
            assertEquals("warm", template(next, hot));
            assertEquals(1, stat(next, "scenes", "hits"), "the first read is an L1 hit");
            assertEquals(0, stat(next, "scenes", "loads"));
            assertFalse(stat(next, "scenes", "l2_hits") > 0);
        }
    }
}
