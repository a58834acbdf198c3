package io.sluice.ratelimit;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.sluice.infra.Embedded;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances hammered at once with one API key share one budget (within 5% of the limit), and
 * a request with a credential known in memory costs at most one Redis round trip for both of its
 * buckets; with a large limit the local leases are big and the trips rare. Each test has its own
 * Redis, so the command counts are its alone.
 */
class SharedBudgetTest {
    private static final int LIMIT = 200;

    @Test
    void twoInstancesShareOneBudgetAndEachRequestIsOneRoundTrip() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "budget-");
        try (Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"))) {
            Map<String, String> config = new HashMap<>(Map.of(
                    "redis.url", redis.url(), "ratelimit.enabled", "true",
                    "ratelimit.redis-prefix", "test:rl:budget:" + UUID.randomUUID() + ":",
                    "ratelimit.per-client", String.valueOf(LIMIT), "ratelimit.per-ip", "1000000",
                    "ratelimit.window", "1h",   // refill: 0.06 tokens/s, negligible during the test
                    "auth.enabled", "true", "auth.registration", "true",
                    "auth.jwt-secret", "budget-test-secret-0123456789abcdefghijklmnop",
                    "tasks.reconcile-interval", "1h"));   // its queue statistics call EXISTS too
            try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config)) {
                TestServer.await("invalidations subscribed", Duration.ofSeconds(10),   // the first server's gauge
                        () -> a.get("/observe/metrics").body().matches("(?s).*sluice_auth_invalidations_live(\\{[^}]*})? 1.*"));
                String token = login(a);
                String key = TestServer.json(a.send(HttpRequest.newBuilder(a.uri("/api/keys"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()))).path("key").asText();
                AtomicInteger keyOk = new AtomicInteger();
                AtomicInteger keyRefused = new AtomicInteger();
                int warmUp = 0;
                for (int round = 0; round < 2; round++) {   // the key is cached on both (a second round in case b subscribed late)
                    for (TestServer s : new TestServer[] {a, b}) {
                        count(get(s, key), keyOk, keyRefused);
                        warmUp++;
                    }
                }

                // At most one round trip per request, for a cached API key and for a JWT alike: EVALSHA, no EXISTS.
                // (Leases of this small limit are 1-2 tokens, so some requests need none.)
                long evalBefore = calls(redis, "evalsha");
                long existsBefore = calls(redis, "exists");
                int sequential = 20;
                for (int i = 0; i < sequential; i++) {
                    TestServer s = (i / 2) % 2 == 0 ? a : b;
                    if (i % 2 == 0) {
                        count(get(s, key), keyOk, keyRefused);
                    } else {
                        assertEquals(200, get(s, token).statusCode(), "the login token has a bucket of its own (the user's)");
                    }
                }
                long evals = calls(redis, "evalsha") - evalBefore;
                assertTrue(evals >= 1 && evals <= sequential, "at most one script call per request for both buckets: " + evals);
                assertEquals(0, calls(redis, "exists") - existsBefore, "no revocation look-up in Redis per request");

                // Hammer both instances at once with the key, far past its budget.
                int threads = 8;
                int perThread = 50;
                hammer(a, b, key, threads, perThread, keyOk, keyRefused);
                int sent = warmUp + sequential / 2 + threads * perThread;
                assertEquals(sent, keyOk.get() + keyRefused.get());
                assertTrue(keyOk.get() >= LIMIT * 0.95 && keyOk.get() <= LIMIT * 1.05,
                           "requests allowed for the key across both instances: " + keyOk.get() + ", limit " + LIMIT);
            }
        }
    }

    @Test
    void withALargeLimitLeasesAreBigAndTwoInstancesStillShareOneBudget() throws Exception {
        int limit = 2_000;
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "budget-large-");
        try (Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"))) {
            Map<String, String> config = new HashMap<>(Map.of(
                    "redis.url", redis.url(), "ratelimit.enabled", "true",
                    "ratelimit.redis-prefix", "test:rl:large:" + UUID.randomUUID() + ":",
                    "ratelimit.per-client", String.valueOf(limit), "ratelimit.per-ip", "1000000",
                    "ratelimit.window", "1h",   // refill: 0.56 tokens/s, about 10 over the test
                    "auth.enabled", "true", "auth.registration", "true",
                    "auth.jwt-secret", "budget-test-secret-0123456789abcdefghijklmnop",
                    "tasks.reconcile-interval", "1h"));
            try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config)) {
                TestServer.await("invalidations subscribed", Duration.ofSeconds(10),
                        () -> a.get("/observe/metrics").body().matches("(?s).*sluice_auth_invalidations_live(\\{[^}]*})? 1.*"));
                String token = login(a);
                String key = TestServer.json(a.send(HttpRequest.newBuilder(a.uri("/api/keys"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()))).path("key").asText();
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                long evalBefore = calls(redis, "evalsha");
                int threads = 8;
                int perThread = 300;   // 2,400 requests: 20% past the budget
                hammer(a, b, key, threads, perThread, ok, refused);
                long evals = calls(redis, "evalsha") - evalBefore;
                int sent = threads * perThread;
                assertEquals(sent, ok.get() + refused.get());
                assertTrue(ok.get() >= limit * 0.95 && ok.get() <= limit * 1.05,
                           "requests allowed for the key across both instances: " + ok.get() + ", limit " + limit);
                assertTrue(refused.get() > 0, "the hammering went past the budget");
                assertTrue(evals * 10 < sent, "Redis script calls " + evals + " for " + sent + " requests: leases make them rare");
            }
        }
    }

    /** {@code threads} threads, half on each instance, each sending {@code perThread} requests with {@code credential}. */
    private static void hammer(TestServer a, TestServer b, String credential, int threads, int perThread,
                               AtomicInteger ok, AtomicInteger refused) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                TestServer s = t % 2 == 0 ? a : b;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        count(get(s, credential), ok, refused);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void count(HttpResponse<String> r, AtomicInteger ok, AtomicInteger refused) {
        if (r.statusCode() == 200) {
            ok.incrementAndGet();
        } else {
            assertEquals(429, r.statusCode(), r.body());
            assertEquals("rate_limit_exceeded", TestServer.json(r).path("error").path("code").asText());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            refused.incrementAndGet();
        }
    }

    private static HttpResponse<String> get(TestServer s, String bearer) {
        return s.send(HttpRequest.newBuilder(s.uri("/v1/models")).header("Authorization", "Bearer " + bearer).GET());
    }

    private static String login(TestServer s) {
        String user = "budget-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"username\":\"" + user + "\",\"password\":\"Tr0ub4dor&3-horse\"}";
        assertEquals(201, s.postJson("/api/auth/register", body).statusCode());
        return TestServer.json(s.postJson("/api/auth/login", body)).path("token").asText();
    }

    /** Calls of one command so far, from INFO commandstats. */
    private static long calls(Embedded.Handle redis, String command) {
        try (Jedis j = new Jedis(URI.create(redis.url()))) {
            for (String line : j.info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_" + command + ":calls=")) {
                    return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
                }
            }
            return 0;
        }
    }
}
