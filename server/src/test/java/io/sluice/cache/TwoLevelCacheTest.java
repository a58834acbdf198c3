package io.sluice.cache;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.cache.CacheProbe.changeBehindTheBack;
import static io.sluice.cache.CacheProbe.sceneJson;
import static io.sluice.cache.CacheProbe.stat;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two-level cache through two real instances (a and b) sharing the test PostgreSQL and Redis,
 * with their own Redis key prefix and channel. A change made in PostgreSQL behind Sluice's back is
 * how a test sees whether an answer came from a cache (it is not visible until invalidated).
 */
class TwoLevelCacheTest {
    /**
     * How long another instance may take to act on an invalidation here. The aim is about a second; the bound is
     * wider because on a loaded 2-core CI machine a single request can take most of a second. It still tells an
     * invalidation from an expiry: the L1 TTL is 30 minutes (the default).
     */
    private static final Duration PROPAGATION = Duration.ofSeconds(5);
    private static final String PREFIX = "test:cache:" + UUID.randomUUID() + ":";
    /** Long enough for a negative entry to be seen alive, and b's to outlive the create, on a loaded machine. */
    private static final Duration NEGATIVE_TTL = Duration.ofSeconds(5);
    private static final Map<String, String> CONFIG = Map.of("cache.redis-prefix", PREFIX,
                                                             "cache.negative-ttl", NEGATIVE_TTL.toSeconds() + "s",
                                                             "llm.providers.simulated.latency", "5ms",
                                                             "llm.providers.simulated.reply-tokens", "3");
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start(CONFIG);
        b = TestServer.start(CONFIG);
        for (TestServer s : List.of(a, b)) {
            TestServer.await("invalidations subscribed", Duration.ofSeconds(10),
                             () -> json(s.get("/metrics")).path("caches").path("l1_trusted").asBoolean());
        }
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    private static String fresh(String what) {
        return what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String template(TestServer s, String scene) {
        HttpResponse<String> r = s.get("/api/llmchat/prompts/" + scene);
        return r.statusCode() == 200 ? json(r).path("template").asText() : "HTTP " + r.statusCode();
    }

    private static void create(String scene, String template) {
        HttpResponse<String> r = a.postJson("/api/llmchat/prompts", sceneJson(scene, template));
        assertEquals(201, r.statusCode(), r.body());
    }

    @Test
    void hitsMissesAndLoadsMoveAsExpected() {
        String scene = fresh("counted");
        create(scene, "v1");
        long hits = stat(a, "scenes", "hits");
        long misses = stat(a, "scenes", "misses");
        long loads = stat(a, "scenes", "loads");
        assertEquals("v1", template(a, scene));   // miss: L2 has nothing (the create invalidated), PostgreSQL answers
        assertEquals(misses + 1, stat(a, "scenes", "misses"));
        assertEquals(loads + 1, stat(a, "scenes", "loads"));
        for (int i = 0; i < 3; i++) {
            assertEquals("v1", template(a, scene));
        }
        assertEquals(hits + 3, stat(a, "scenes", "hits"), "the next reads are L1 hits");
        assertEquals(loads + 1, stat(a, "scenes", "loads"), "and load nothing");

        long bLoads = stat(b, "scenes", "loads");
        long bL2 = stat(b, "scenes", "l2_hits");
        assertEquals("v1", template(b, scene));
        assertEquals(bL2 + 1, stat(b, "scenes", "l2_hits"), "the other instance finds it in Redis");
        assertEquals(bLoads, stat(b, "scenes", "loads"), "without asking PostgreSQL");

        String prometheus = a.get("/observe/metrics").body();
        assertTrue(prometheus.matches("(?s).*\\nsluice_cache_hits_total\\{[^}]*cache=\"scenes\"[^}]*} [1-9].*"),
                   "a Prometheus counter per cache");
        assertTrue(prometheus.matches("(?s).*\\nsluice_cache_size\\{[^}]*cache=\"sessions\"[^}]*} .*"));
        assertTrue(stat(a, "scenes", "bytes") > 0, "L1 weight is counted");
    }

    /** The table is locked so the first load waits in PostgreSQL while the other 49 readers arrive. */
    @Test
    void fiftyConcurrentMissesOfOneKeyMakeOneLoad() throws Exception {
        String scene = fresh("stampede");
        create(scene, "once");
        long misses = stat(a, "scenes", "misses");
        long loads = stat(a, "scenes", "loads");
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try (Connection lock = CacheProbe.postgres(); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE prompt_scenes IN ACCESS EXCLUSIVE MODE");
            Callable<HttpResponse<String>> read = () -> a.get("/api/llmchat/prompts/" + scene);
            for (int i = 0; i < 50; i++) {
                answers.add(pool.submit(read));
            }
            TestServer.await("50 readers missed", Duration.ofSeconds(4), () -> stat(a, "scenes", "misses") - misses >= 50);
            lock.commit();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("once", json(r).path("template").asText());
            }
        }
        assertEquals(misses + 50, stat(a, "scenes", "misses"));
        assertEquals(loads + 1, stat(a, "scenes", "loads"), "one load for 50 concurrent misses");
    }

    @Test
    void notFoundIsCachedBrieflyAndACreateEndsItAtOnce() throws Exception {
        String ghost = fresh("ghost");
        long loads = stat(a, "scenes", "loads");
        assertEquals(404, a.get("/api/llmchat/prompts/" + ghost).statusCode());
        assertEquals(404, a.get("/api/llmchat/prompts/" + ghost).statusCode());
        assertEquals(loads + 1, stat(a, "scenes", "loads"), "the second 404 came from the negative entry");
        CacheProbe.insertBehindTheBack(ghost, "appeared");
        assertEquals("HTTP 404", template(a, ghost), "the negative entry is served while it lives");
        TestServer.await("the negative entry expires (cache.negative-ttl)", NEGATIVE_TTL.multipliedBy(4),
                         () -> "appeared".equals(template(a, ghost)));

        String later = fresh("later");
        assertEquals("HTTP 404", template(a, later));
        long bNegativeSince = System.nanoTime();
        assertEquals("HTTP 404", template(b, later));
        create(later, "created");
        assertEquals("created", template(a, later), "a create ends the negative entry at once");
        TestServer.await("the create ends b's negative entry too", PROPAGATION, () -> "created".equals(template(b, later)));
        assertTrue(System.nanoTime() - bNegativeSince < NEGATIVE_TTL.toNanos(),
                   "seen while b's negative entry was still alive: the invalidation ended it, not its expiry");
    }

    @Test
    void prefixInvalidationDropsThoseKeysEverywhereAndOnlyThose() throws Exception {
        String group = fresh("grp");
        String other = fresh("other");
        for (String s : List.of(group + "-a", group + "-b", other)) {
            create(s, "old");
            assertEquals("old", template(a, s));
            assertEquals("old", template(b, s));
            changeBehindTheBack(s, "new");
        }
        HttpResponse<String> r = a.postJson("/api/cache/scenes/invalidate", "{\"prefix\":\"" + group + "-\"}");
        assertEquals(200, r.statusCode(), r.body());
        try (Jedis redis = new Jedis(URI.create(TestInfra.redisUrl()))) {
            assertFalse(redis.exists(PREFIX + "scenes:v:" + group + "-a"), "gone from Redis");
            assertTrue(redis.exists(PREFIX + "scenes:v:" + other), "the others stay in Redis");
        }
        assertEquals("new", template(a, group + "-a"));
        assertEquals("new", template(a, group + "-b"));
        TestServer.await("b dropped the prefix", PROPAGATION,
                         () -> "new".equals(template(b, group + "-a")) && "new".equals(template(b, group + "-b")));
        assertEquals("old", template(a, other), "a key outside the prefix is still cached");
        assertEquals("old", template(b, other));
        assertEquals(400, a.postJson("/api/cache/scenes/invalidate", "{}").statusCode());
        assertEquals(404, a.postJson("/api/cache/nope/invalidate", "{\"key\":\"x\"}").statusCode());
    }

    @Test
    void theOtherInstanceDropsItsL1EntryWithinASecond() throws Exception {
        String scene = fresh("shared");
        create(scene, "old");
        assertEquals("old", template(b, scene));
        long hits = stat(b, "scenes", "hits");
        assertEquals("old", template(b, scene));
        assertEquals(hits + 1, stat(b, "scenes", "hits"), "held in b's L1");
        changeBehindTheBack(scene, "new");
        assertEquals(200, a.postJson("/api/cache/scenes/invalidate", "{\"key\":\"" + scene + "\"}").statusCode());
        long invalidated = System.nanoTime();
        TestServer.await("b drops its L1 entry", PROPAGATION, () -> "new".equals(template(b, scene)));
        assertTrue(System.nanoTime() - invalidated < PROPAGATION.toNanos());
    }

    @Test
    void sceneAndSessionWritesAreVisibleAtOnceOnBothInstances() {
        String scene = fresh("rw");
        create(scene, "one");
        assertEquals("one", template(a, scene));
        assertEquals("one", template(b, scene));
        HttpResponse<String> put = a.send(HttpRequest.newBuilder(a.uri("/api/llmchat/prompts/" + scene))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(sceneJson(scene, "two"))));
        assertEquals(200, put.statusCode(), put.body());
        // b drops its L1 copy when the invalidation reaches it over pub/sub (within about a second, not
        // synchronously with a's answer): on a loaded machine the next request to b can get there first.
        TestServer.await("b reads the replaced scene", PROPAGATION, () -> "two".equals(template(b, scene)));
        assertEquals("two", template(a, scene));
        assertEquals(200, a.send(HttpRequest.newBuilder(a.uri("/api/llmchat/prompts/" + scene)).DELETE()).statusCode());
        TestServer.await("b sees the deletion", PROPAGATION, () -> "HTTP 404".equals(template(b, scene)));

        HttpResponse<String> created = a.postJson("/v1/sessions", "{\"title\":\"cached\"}");
        String id = json(created).path("id").asText();
        String before = json(b.get("/v1/sessions/" + id)).path("updated_at").asText();
        assertEquals(before, json(b.get("/v1/sessions/" + id)).path("updated_at").asText());   // now in b's L1
        HttpResponse<String> chat = a.postJson("/v1/sessions/" + id + "/chat?sync=true", "{\"message\":\"hello\"}");
        assertEquals(200, chat.statusCode(), chat.body());
        TestServer.await("b sees the chat's updated_at", PROPAGATION,
                         () -> !before.equals(json(b.get("/v1/sessions/" + id)).path("updated_at").asText()));
        String after = json(b.get("/v1/sessions/" + id)).path("updated_at").asText();
        assertFalse(before.equals(after), "b sees the chat's updated_at: " + before);
        assertEquals(after, json(a.get("/v1/sessions/" + id)).path("updated_at").asText());
        assertEquals(200, a.send(HttpRequest.newBuilder(a.uri("/v1/sessions/" + id)).DELETE()).statusCode());
        TestServer.await("b sees the session's deletion", PROPAGATION, () -> b.get("/v1/sessions/" + id).statusCode() == 404);
    }

    @Test
    void onlyFinishedTasksAreServedFromTheCache() {
        HttpResponse<String> accepted = a.postJson("/v1/tasks",
                "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = json(accepted).path("task_id").asText();
        assertEquals("succeeded", json(a.get("/v1/tasks/" + id + "?wait=20s")).path("status").asText());
        long loads = stat(b, "tasks", "loads") + stat(b, "tasks", "l2_hits");
        long hits = stat(b, "tasks", "hits");
        for (int i = 0; i < 5; i++) {
            assertEquals("succeeded", json(b.get("/v1/tasks/" + id)).path("status").asText());
        }
        assertEquals(loads + 1, stat(b, "tasks", "loads") + stat(b, "tasks", "l2_hits"), "one fetch, then memory");
        assertEquals(hits + 4, stat(b, "tasks", "hits"));
    }
}
