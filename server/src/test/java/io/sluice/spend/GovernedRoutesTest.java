package io.sluice.spend;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import io.sluice.support.Users;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spend policy binds every route that calls a chat model for a caller, not only
 * /v1/chat/completions: session chats (sync, streamed, async), scene calls (sync and as a task),
 * task submissions and podcasts with a topic are refused before any work with the same errors (403 model_not_allowed,
 * 429 insufficient_quota, the tokens-per-minute 429 with its headers), and what they spend is
 * charged to the caller: usage rows with owner and key_id, and the key's budget counter. Prices
 * make every token cost 1 (the fake upstream reports 11 prompt + 5 completion tokens: 16 a call).
 */
class GovernedRoutesTest {
    private static final String STREAM = "test:tasks:governed:" + UUID.randomUUID();

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.ofEntries(
            Map.entry("auth.enabled", "true"), Map.entry("auth.registration", "true"),
            Map.entry("auth.jwt-secret", "governed-routes-secret-0123456789abcdefghijklmnop"),
            Map.entry("llm.models.fake-model.route", "fake:upstream-model"),
            Map.entry("llm.models.other-model.route", "fake:other-upstream"),
            Map.entry("usage.prices.upstream.model", "upstream-model"),
            Map.entry("usage.prices.upstream.input", "1000000"),
            Map.entry("usage.prices.upstream.output", "1000000"),
            Map.entry("spend.redis-prefix", "test:spend:" + UUID.randomUUID() + ":"),
            Map.entry("spend.view-ttl", "200ms"),
            Map.entry("tasks.stream", STREAM),
            Map.entry("tasks.workers", "1")));
    private static TestServer server;
    private static String admin;

    @BeforeAll
    static void start() throws Exception {
        server = gateway.server();
        admin = Users.admin(server, "governed-admin-" + UUID.randomUUID().toString().substring(0, 8));
        for (String model : new String[] {"fake-model", "other-model"}) {
            HttpResponse<String> r = post("/api/llmchat/prompts", admin, "{\"scene\":\"governed-" + model
                    + "\",\"template\":\"Say {{what}}\",\"model\":\"" + model + "\"}");
            assertTrue(r.statusCode() == 201 || r.statusCode() == 409, r.body());
        }
    }

    @Test
    void aKeyAllowedOneModelIsRefusedTheOtherOnSessionsScenesAndTasks() throws Exception {
        String user = Users.registerAndLogin(server, "allow-list-" + UUID.randomUUID().toString().substring(0, 8));
        JsonNode created = createKey(user, "{\"models\":[\"fake-model\"]}");
        String key = created.path("key").asText();
        String keyId = created.path("id").asText();
        long entries = streamLength();

        String session = json(post("/v1/sessions", key, "{\"model\":\"other-model\"}")).path("id").asText();
        for (String path : new String[] {"/v1/sessions/" + session + "/chat?sync=true", "/v1/sessions/" + session + "/chat?sync=false"}) {
            assertRefused(post(path, key, "{\"message\":\"hi\"}"), 403, "model_not_allowed");
        }
        assertRefused(post("/v1/sessions/" + session + "/chat", key, "{\"message\":\"hi\",\"stream\":true}"), 403, "model_not_allowed");
        assertEquals(0, json(get("/v1/sessions/" + session + "/messages", key)).path("data").size(), "a refused turn stores nothing");

        assertRefused(post("/api/llmchat/prompts/governed-other-model/api?sync=true", key, "{\"what\":\"hi\"}"), 403, "model_not_allowed");
        assertRefused(post("/api/llmchat/prompts/governed-other-model/api?sync=false", key, "{\"what\":\"hi\"}"), 403, "model_not_allowed");
        assertRefused(post("/v1/tasks", key, chat("other-model", "hi")), 403, "model_not_allowed");
        assertRefused(post("/v1/podcasts", key, "{\"topic\":\"tides\",\"model\":\"other-model\",\"hosts\":"
                + "[{\"name\":\"Ana\",\"voice\":\"alloy\"},{\"name\":\"Ben\",\"voice\":\"echo\"}]}"), 403, "model_not_allowed");
        assertEquals(0, count("SELECT count(*) FROM podcasts WHERE owner = ?", json(get("/api/auth/verify", user)).at("/user/id").asText()),
                     "no podcast stored for a refused submission");
        assertEquals(0, tasksOf(keyId), "no task stored for a refused submission");
        assertEquals(entries, streamLength(), "no stream entry for a refused submission");

        // The model it may use goes through on the same routes, and the task carries the key.
        HttpResponse<String> accepted = post("/v1/tasks", key, chat("fake-model", "hi"));
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals(1, tasksOf(keyId));
        assertEquals(200, post("/api/llmchat/prompts/governed-fake-model/api?sync=true", key, "{\"what\":\"hi\"}").statusCode());
    }

    @Test
    void sessionSceneAndTaskSpendIsChargedToTheKeyAndItsBudgetThenRefused() throws Exception {
        String user = Users.registerAndLogin(server, "budget-" + UUID.randomUUID().toString().substring(0, 8));
        String userId = json(get("/api/auth/verify", user)).at("/user/id").asText();
        JsonNode created = createKey(user, "{\"name\":\"capped\"}");
        String key = created.path("key").asText();
        String keyId = created.path("id").asText();
        // Budgets are set by an admin.
        HttpResponse<String> capped = send("PATCH", "/api/keys/" + keyId, admin, "{\"budget\":{\"period\":\"daily\",\"limit\":40}}");
        assertEquals(200, capped.statusCode(), capped.body());

        String session = json(post("/v1/sessions", key, "{\"model\":\"fake-model\"}")).path("id").asText();
        HttpResponse<String> turn = post("/v1/sessions/" + session + "/chat?sync=true", key, "{\"message\":\"hi\"}");
        assertEquals(200, turn.statusCode(), turn.body());
        HttpResponse<String> submitted = post("/v1/tasks", key, chat("fake-model", "hi"));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String taskId = json(submitted).path("task_id").asText();
        await("the task succeeded", Duration.ofSeconds(20),
              () -> "succeeded".equals(json(get("/v1/tasks/" + taskId + "?wait=5s", key)).path("status").asText()));
        HttpResponse<String> asyncTurn = post("/v1/sessions/" + session + "/chat?sync=false", key, "{\"message\":\"again\"}");
        assertEquals(202, asyncTurn.statusCode(), asyncTurn.body());
        String turnTask = json(asyncTurn).path("task_id").asText();
        await("the async turn succeeded", Duration.ofSeconds(20),
              () -> "succeeded".equals(json(get("/v1/tasks/" + turnTask + "?wait=5s", key)).path("status").asText()));

        // Each call's usage row says who paid; the worker's rows too.
        await("three usage rows with owner and key", Duration.ofSeconds(20), () -> usageRows(keyId, userId) >= 3);
        assertEquals(1, usageRows(keyId, userId, "task-" + taskId), "the task's row has owner and key_id");
        assertEquals(1, usageRows(keyId, userId, "task-" + turnTask), "the async session turn's row has owner and key_id");

        // 48 spent of 40: /v1/chat/completions is refused, and so is every other route.
        await("the budget counts session and task spend", Duration.ofSeconds(20),
              () -> post("/v1/chat/completions", key, chat("fake-model", "hi")).statusCode() == 429);
        assertRefused(post("/v1/chat/completions", key, chat("fake-model", "hi")), 429, "insufficient_quota");
        int tasks = tasksOf(keyId);
        assertRefused(post("/v1/sessions/" + session + "/chat?sync=true", key, "{\"message\":\"more\"}"), 429, "insufficient_quota");
        assertRefused(post("/v1/sessions/" + session + "/chat?sync=false", key, "{\"message\":\"more\"}"), 429, "insufficient_quota");
        assertRefused(post("/api/llmchat/prompts/governed-fake-model/api?sync=true", key, "{\"what\":\"hi\"}"), 429, "insufficient_quota");
        assertRefused(post("/api/llmchat/prompts/governed-fake-model/api?sync=false", key, "{\"what\":\"hi\"}"), 429, "insufficient_quota");
        assertRefused(post("/v1/tasks", key, chat("fake-model", "hi")), 429, "insufficient_quota");
        assertEquals(tasks, tasksOf(keyId), "no task stored past the budget");

        // GET /v1/usage sees the key's spend, sessions and tasks included.
        JsonNode usage = json(get("/v1/usage?key_id=" + keyId, user));
        assertTrue(usage.at("/total/requests").asInt() >= 3 && usage.at("/total/cost").asDouble() >= 48, usage.toString());
    }

    @Test
    void aQueuedTaskWhoseBudgetRanOutBeforeItRanFailsWithoutAnUpstreamCall() throws Exception {
        FakeUpstream fake = gateway.upstream();
        String user = Users.registerAndLogin(server, "queued-" + UUID.randomUUID().toString().substring(0, 8));
        String busy = createKey(user, "{\"name\":\"busy\"}").path("key").asText();
        JsonNode capped = createKey(user, "{\"name\":\"queued\"}");
        String key = capped.path("key").asText();
        String keyId = capped.path("id").asText();
        assertEquals(200, send("PATCH", "/api/keys/" + keyId, admin, "{\"budget\":{\"period\":\"daily\",\"limit\":10}}").statusCode());

        // The only worker is busy with another key's task, held upstream; the capped key's task waits behind it.
        CountDownLatch release = new CountDownLatch(1);
        fake.then(FakeUpstream.holdUntil(release));
        int callsBefore = fake.calls();
        String holding = json(post("/v1/tasks", busy, chat("fake-model", "hold"))).path("task_id").asText();
        await("the worker is busy upstream", Duration.ofSeconds(20), () -> fake.calls() == callsBefore + 1);
        HttpResponse<String> queued = post("/v1/tasks", key, chat("fake-model", "later"));
        assertEquals(202, queued.statusCode(), "nothing spent yet: admitted at submission; " + queued.body());
        String taskId = json(queued).path("task_id").asText();

        // While it waits, one direct call spends 16 of the budget's 10.
        assertEquals(200, post("/v1/chat/completions", key, chat("fake-model", "now")).statusCode());
        await("the budget counts the call", Duration.ofSeconds(20),
              () -> post("/v1/chat/completions", key, chat("fake-model", "now")).statusCode() == 429);
        int callsBeforeRelease = fake.calls();
        release.countDown();
        await("the held task succeeded", Duration.ofSeconds(20),
              () -> "succeeded".equals(json(get("/v1/tasks/" + holding + "?wait=5s", busy)).path("status").asText()));

        await("the queued task failed", Duration.ofSeconds(20),
              () -> "failed".equals(json(get("/v1/tasks/" + taskId + "?wait=5s", key)).path("status").asText()));
        JsonNode task = json(get("/v1/tasks/" + taskId, key));
        assertEquals("insufficient_quota", task.at("/error/code").asText(), task.toString());
        assertEquals(1, task.path("attempts").asInt(), "a spent budget is final, not retried: " + task);
        assertEquals(callsBeforeRelease, fake.calls(), "the refused task never reached the upstream");
        assertEquals(0, usageRows(keyId, json(get("/api/auth/verify", user)).at("/user/id").asText(), "task-" + taskId));
    }

    @Test
    void aTaskSubmissionCountsAgainstTheKeysTokensPerMinute() {
        String user = Users.registerAndLogin(server, "tpm-" + UUID.randomUUID().toString().substring(0, 8));
        String key = createKey(user, "{\"tpm\":20}").path("key").asText();
        String prompt = "x".repeat(120);   // estimated at 30 tokens: fits alone, never twice in a minute
        HttpResponse<String> first = post("/v1/tasks", key, chat("fake-model", prompt));
        assertEquals(202, first.statusCode(), first.body());
        assertEquals("20", first.headers().firstValue("x-ratelimit-limit-tokens").orElse(""));
        HttpResponse<String> refused = null;
        for (int i = 0; i < 3 && refused == null; i++) {   // a minute may turn between two submits, never twice
            HttpResponse<String> r = post("/v1/tasks", key, chat("fake-model", prompt));
            if (r.statusCode() == 429) {
                refused = r;
            }
        }
        assertNotNull(refused, "a key over its tokens per minute is refused at submission");
        assertEquals("rate_limit_exceeded", json(refused).at("/error/code").asText());
        assertTrue(refused.headers().firstValue("x-ratelimit-reset-tokens").isPresent(), refused.headers().toString());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
    }

    private static void assertRefused(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, json(r).at("/error/code").asText(), r.body());
    }

    private static String chat(String model, String content) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static JsonNode createKey(String bearer, String body) {
        HttpResponse<String> r = post("/api/keys", bearer, body);
        assertEquals(201, r.statusCode(), r.body());
        return json(r);
    }

    private static long streamLength() {
        try (Jedis j = new Jedis(java.net.URI.create(TestInfra.redisUrl()))) {
            return j.exists(STREAM) ? j.xlen(STREAM) : 0;
        }
    }

    private static int tasksOf(String keyId) {
        return count("SELECT count(*) FROM tasks WHERE key_id = ?::uuid", keyId);
    }

    private static int usageRows(String keyId, String owner) {
        return count("SELECT count(*) FROM llm_usage WHERE key_id = ?::uuid AND owner = ? AND cost > 0", keyId, owner);
    }

    private static int usageRows(String keyId, String owner, String requestId) {
        return count("SELECT count(*) FROM llm_usage WHERE key_id = ?::uuid AND owner = ? AND request_id = ?", keyId, owner, requestId);
    }

    private static int count(String sql, String... params) {
        try (var c = java.sql.DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(String path, String bearer) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + bearer).GET());
    }

    private static HttpResponse<String> post(String path, String bearer, String json) {
        return send("POST", path, bearer, json);
    }

    private static HttpResponse<String> send(String method, String path, String bearer, String json) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + bearer)
                                   .header("Content-Type", "application/json")
                                   .method(method, HttpRequest.BodyPublishers.ofString(json)));
    }
}
