package io.sluice.infra;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TcpProxy;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL and Redis taken away under a running server, through a TCP proxy: cut (connections
 * reset, connects refused) and stalled (connections open, no byte relayed). Clients see 503 with
 * the dependency's code (or the feature's fallback), never a 500; once the dependency is known
 * down every answer comes at once instead of after a connect timeout; after it is back requests
 * succeed again within seconds and both pools return to idle.
 */
class DependencyOutageTest {
    /** What "at once" means here: far below any connect or socket timeout configured below. */
    private static final long FAST_MS = 1000;
    private static final String SESSION = "{\"title\":\"outage\",\"model\":\"sluice-sim\"}";
    private static final String TASK = "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void postgresCutAnswers503AtOnceAndRecovers() {
        try (TcpProxy pg = postgresProxy(); TestServer s = server(pg, null)) {
            assertEquals(201, s.postJson("/v1/sessions", SESSION).statusCode());
            pg.cut();
            // Until the background probe has confirmed the outage (a broken pooled connection is only a
            // suspicion), a request may wait for the pool's connection timeout (3 s); then every one is at once.
            refused(s, "/v1/sessions", SESSION, 503, "database_unavailable", 6000);
            await("known down: answered at once", Duration.ofSeconds(15),
                  () -> timed(s, "/v1/sessions", SESSION).ms() < FAST_MS);
            for (int i = 0; i < 20; i++) {
                refused(s, "/v1/sessions", SESSION, 503, "database_unavailable", FAST_MS);
            }
            refused(s, "/observe/health/ready", null, 503, null, FAST_MS);
            pg.restore();
            recovers(s, "/v1/sessions", SESSION, 201);
        }
    }

    @Test
    void postgresStallAnswers503AndRecovers() {
        try (TcpProxy pg = postgresProxy(); TestServer s = server(pg, null, "database.socket-timeout", "2s")) {
            assertEquals(201, s.postJson("/v1/sessions", SESSION).statusCode());
            pg.stall();
            // Until the probe has seen it, a request waits at most a socket timeout plus a connection timeout.
            refused(s, "/v1/sessions", SESSION, 503, "database_unavailable", 2000 + 3000 + 1500);
            await("known down: answered at once", Duration.ofSeconds(15),
                  () -> timed(s, "/v1/sessions", SESSION).ms() < FAST_MS);
            for (int i = 0; i < 20; i++) {
                refused(s, "/v1/sessions", SESSION, 503, "database_unavailable", FAST_MS);
            }
            pg.resume();
            recovers(s, "/v1/sessions", SESSION, 201);
        }
    }

    @Test
    void redisCutTakesTheFallbacksAtOnceAndRecovers() {
        try (TcpProxy redis = redisProxy(); TestServer s = server(null, redis)) {
            assertEquals(202, s.postJson("/v1/tasks", TASK).statusCode());
            redis.cut();
            refused(s, "/v1/tasks", TASK, 503, "queue_unavailable", 3000);
            for (int i = 0; i < 20; i++) {
                refused(s, "/v1/tasks", TASK, 503, "queue_unavailable", FAST_MS);
                refused(s, "/v1/models", null, 200, null, FAST_MS);   // rate limits: per-instance buckets
            }
            refused(s, "/observe/health/ready", null, 503, null, FAST_MS);
            redis.restore();
            recovers(s, "/v1/tasks", TASK, 202);
        }
    }

    @Test
    void redisStallCostsOneSocketTimeoutThenFallsBackAtOnce() {
        try (TcpProxy redis = redisProxy(); TestServer s = server(null, redis, "redis.socket-timeout", "1s")) {
            assertEquals(202, s.postJson("/v1/tasks", TASK).statusCode());
            redis.stall();
            // Each wait is bounded: borrow (max-wait 500 ms) plus one socket timeout (1 s).
            refused(s, "/v1/tasks", TASK, 503, "queue_unavailable", 500 + 1000 + 1500);
            await("known down: answered at once", Duration.ofSeconds(10),
                  () -> timed(s, "/v1/tasks", TASK).ms() < FAST_MS);
            for (int i = 0; i < 20; i++) {
                refused(s, "/v1/tasks", TASK, 503, "queue_unavailable", FAST_MS);
                refused(s, "/v1/models", null, 200, null, FAST_MS);
            }
            redis.resume();
            recovers(s, "/v1/tasks", TASK, 202);
        }
    }

    private static TcpProxy postgresProxy() {
        URI pg = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
        return new TcpProxy(pg.getHost(), pg.getPort());
    }

    private static TcpProxy redisProxy() {
        URI redis = URI.create(TestInfra.redisUrl());
        return new TcpProxy(redis.getHost(), redis.getPort());
    }

    private static TestServer server(TcpProxy pg, TcpProxy redis, String... extra) {
        Map<String, String> c = new HashMap<>(Map.of(
                "tasks.role", "api",                 // no workers: the Redis pool is idle when no request uses it
                "ratelimit.enabled", "true", "ratelimit.per-ip", "100000", "ratelimit.redis-down", "local",
                "redis.max-wait", "500ms", "redis.connect-timeout", "500ms"));
        if (pg != null) {
            URI target = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
            c.put("database.url", "jdbc:postgresql://127.0.0.1:" + pg.port() + target.getPath());
        }
        if (redis != null) {
            c.put("redis.url", "redis://127.0.0.1:" + redis.port());
        }
        for (int i = 0; i < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return TestServer.start(c);
    }

    record Timed(HttpResponse<String> response, long ms) {
    }

    private static Timed timed(TestServer s, String path, String json) {
        long start = System.nanoTime();
        HttpResponse<String> r = json == null ? s.get(path) : s.postJson(path, json);
        return new Timed(r, (System.nanoTime() - start) / 1_000_000);
    }

    /** Asserts the status, the error code (when given) and that the answer came within {@code maxMs}. */
    private static void refused(TestServer s, String path, String json, int status, String code, long maxMs) {
        Timed t = timed(s, path, json);
        assertEquals(status, t.response().statusCode(), path + ": " + t.response().body());
        if (code != null) {
            JsonNode error = TestServer.json(t.response()).path("error");
            assertEquals(code, error.path("code").asText(), t.response().body());
            assertTrue(t.response().headers().firstValue("Retry-After").isPresent(), "a 503 says when to retry");
        }
        assertTrue(t.ms() < maxMs, path + " answered in " + t.ms() + " ms, bound " + maxMs + " ms");
    }

    /** Requests succeed again within seconds, and both pools go back to idle. */
    private static void recovers(TestServer s, String path, String json, int status) {
        await(path + " answers " + status + " again", Duration.ofSeconds(10),
              () -> s.postJson(path, json).statusCode() == status);
        assertEquals(200, s.get("/observe/health/ready").statusCode());
        Supplier<JsonNode> pools = () -> TestServer.json(s.get("/metrics"));
        await("pools idle", Duration.ofSeconds(10), () -> {
            JsonNode m = pools.get();
            return m.path("database").path("active").asInt() == 0 && m.path("database").path("waiting").asInt() == 0
                    && m.path("redis").path("active").asInt() == 0 && m.path("redis").path("waiting").asInt() == 0;
        });
    }
}
