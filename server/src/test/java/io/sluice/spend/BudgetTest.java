package io.sluice.spend;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.infra.Embedded;
import io.sluice.support.TestGateway;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import io.sluice.support.Users;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key's daily budget across two instances sharing PostgreSQL and a Redis of the test's own: the
 * call that crosses the hard limit (a stream) finishes, the next one is refused with 429
 * insufficient_quota on both instances, the soft limit reported once for the cluster (one webhook event); and a Redis that comes back
 * empty (a restart without its data) gets the spend back from PostgreSQL, so the key stays refused.
 * Prices make every token cost 1 (the fake upstream reports 11 prompt + 5 completion tokens: 16 a call).
 */
class BudgetTest {
    private static final String SECRET = "budget-test-secret-0123456789abcdefghijklmnop";

    @Test
    void hardLimitRefusesTheNextRequestOnEveryInstanceAndSurvivesARedisRestart() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "spend-");
        String prefix = "test:spend:" + UUID.randomUUID() + ":";
        Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis-1"));
        // Where the soft-limit events go: a webhook receiver shared by both instances.
        List<String> events = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/budget", ex -> {
            events.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hook.start();
        int port = redis.port();
        Map<String, String> config = new HashMap<>(Map.of(
                "redis.url", redis.url(), "auth.enabled", "true", "auth.registration", "true", "auth.jwt-secret", SECRET,
                "llm.models.fake-model.route", "fake:upstream-model",
                "usage.prices.upstream.model", "upstream-model", "usage.prices.upstream.input", "1000000",
                "usage.prices.upstream.output", "1000000",
                "spend.redis-prefix", prefix, "spend.view-ttl", "200ms"));
        config.put("spend.reconcile-interval", "1s");
        config.put("spend.webhook-url", "http://127.0.0.1:" + hook.getAddress().getPort() + "/budget");
        config.put("spend.max-key-labels", "1");   // the key takes the one label; anything after it is "other"
        try (TestGateway gateway = TestGateway.start("fake", config);
             TestServer b = TestServer.start(gateway.config())) {
            TestServer a = gateway.server();
            TestServer.await("invalidations subscribed", Duration.ofSeconds(10),
                    () -> a.get("/observe/metrics").body().matches("(?s).*sluice_auth_invalidations_live(\\{[^}]*})? 1.*"));
            String admin = Users.admin(a, "budget-admin-" + UUID.randomUUID().toString().substring(0, 8));
            JsonNode created = json(post(a, "/api/keys", admin,
                    "{\"name\":\"capped\",\"budget\":{\"period\":\"daily\",\"limit\":20,\"soft_limit\":10}}"));
            String key = created.path("key").asText();
            assertEquals("20", created.at("/budget/limit").asText(), created.toString());
            assertEquals(400, post(a, "/api/keys", admin, "{\"budget\":{\"period\":\"weekly\",\"limit\":1}}").statusCode());

            assertEquals(200, chat(a, key, false).statusCode());   // 16: past the soft limit
            HttpResponse<String> crossing = chat(b, key, true);    // 32: a stream that crosses the hard limit finishes
            assertEquals(200, crossing.statusCode(), crossing.body());
            assertTrue(crossing.body().contains("data: [DONE]"), crossing.body());

            for (TestServer s : new TestServer[] {b, a}) {   // b at once (its own view), a once its view is refreshed
                await("the next request is refused", Duration.ofSeconds(10), () -> chat(s, key, false).statusCode() == 429);
                HttpResponse<String> refused = chat(s, key, false);
                assertEquals(429, refused.statusCode());
                assertEquals("insufficient_quota", json(refused).at("/error/code").asText());
                assertEquals("insufficient_quota", json(refused).at("/error/type").asText());
            }
            // Charged when the call settles, after its answer went out: poll rather than read once.
            String counter = prefix + "key:" + created.path("id").asText() + ":d" + LocalDate.now(ZoneOffset.UTC);
            await("both calls counted in Redis", Duration.ofSeconds(10), () -> spent(port, counter) >= 32);
            await("the soft limit's webhook event", Duration.ofSeconds(10), () -> !events.isEmpty());
            JsonNode event = io.sluice.http.Json.MAPPER.readTree(events.get(0));
            assertEquals("budget.soft_limit", event.path("event").asText(), events.toString());
            assertEquals("key:" + created.path("id").asText(), event.path("subject").asText(), events.toString());
            assertTrue(event.path("spent").asDouble() >= 10, events.toString());
            // Both calls were written to Redis before the event was awaited; a second crossing would be in flight by now.
            Thread.sleep(500);
            assertEquals(1, events.size(), "one soft-limit event for the cluster, whichever instance crossed it: " + events);

            // Redis comes back empty on the same port: the counter is rebuilt from the usage rows.
            redis.close();
            redis = Embedded.redis(port, dir.resolve("redis-2"));
            assertEquals(0, spent(port, counter), "the new Redis starts empty");
            await("spend reconciled from PostgreSQL", Duration.ofSeconds(20), () -> spent(port, counter) >= 32);
            for (TestServer s : new TestServer[] {a, b}) {
                await("still refused after the Redis restart", Duration.ofSeconds(10), () -> chat(s, key, false).statusCode() == 429);
            }

            // Lifting the budget (PATCH by an admin) lets the key spend again on both instances.
            String id = created.path("id").asText();
            HttpResponse<String> lifted = a.send(HttpRequest.newBuilder(a.uri("/api/keys/" + id))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"budget\":null}")));
            assertEquals(200, lifted.statusCode(), lifted.body());
            for (TestServer s : new TestServer[] {a, b}) {
                await("budget lifted", Duration.ofSeconds(10), () -> chat(s, key, false).statusCode() == 200);
            }

            // Bounded metric labels: past spend.max-key-labels (1 here) a caller is counted as "other".
            assertEquals(200, chat(a, admin, false).statusCode());
            String metrics = a.get("/observe/metrics").body();
            assertTrue(metrics.contains("key=\"" + created.path("prefix").asText() + "\""), "the first key has its label");
            assertTrue(metrics.matches("(?s).*sluice_spend_tokens_total\\{[^}]*key=\"other\"[^}]*}.*"), "the rest are other");
            assertTrue(!metrics.contains("key=\"jwt\""), "no label beyond the cap");
            assertEquals(1, events.size(), "rebuilding the counter after the Redis restart crossed nothing anew: " + events);
        } finally {
            redis.close();
            hook.stop(0);
        }
    }

    private static double spent(int port, String key) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
            String v = j.get(key);
            return v == null ? 0 : Double.parseDouble(v);
        }
    }

    private static HttpResponse<String> chat(TestServer s, String key, boolean stream) {
        return post(s, "/v1/chat/completions", key, "{\"model\":\"fake-model\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static HttpResponse<String> post(TestServer s, String path, String bearer, String json) {
        return s.send(HttpRequest.newBuilder(s.uri(path)).header("Authorization", "Bearer " + bearer)
                              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }
}
