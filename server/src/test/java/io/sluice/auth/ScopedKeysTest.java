package io.sluice.auth;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;
import io.sluice.support.Users;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static io.sluice.support.Users.send;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API keys with a scope, through the real key endpoints: the admin CRUD, a model allow-list (403
 * model_not_allowed, the model hidden from /v1/models), a tokens-per-minute limit (429 with the
 * reset header), expiry, and the cost of each call stored with its usage row from the price table.
 */
class ScopedKeysTest {
    private static final double INPUT = 2.5;
    private static final double CACHED = 1.25;
    private static final double OUTPUT = 10;

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.ofEntries(
            Map.entry("auth.enabled", "true"), Map.entry("auth.registration", "true"),
            Map.entry("auth.jwt-secret", "scoped-keys-secret-0123456789abcdefghijklmnop"),
            Map.entry("llm.models.fake-model.route", "fake:upstream-model"),
            Map.entry("llm.models.other-model.route", "fake:other-upstream"),
            Map.entry("usage.prices.upstream.model", "upstream-model"),
            Map.entry("usage.prices.upstream.input", String.valueOf(INPUT)),
            Map.entry("usage.prices.upstream.cached-input", String.valueOf(CACHED)),
            Map.entry("usage.prices.upstream.output", String.valueOf(OUTPUT))));
    private static TestServer server;
    private static FakeUpstream fake;
    private static String admin;

    @BeforeAll
    static void start() {
        server = gateway.server();
        fake = gateway.upstream();
        admin = Users.admin(server, Users.fresh("keys-admin"));
    }

    private static String chat(String model, String content) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static JsonNode createKey(String bearer, String body) {
        HttpResponse<String> r = post(server, "/api/keys", bearer, body);
        assertEquals(201, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void adminCreatesListsUpdatesDisablesAndDeletesKeysAndTheSecretIsShownOnce() {
        String userName = Users.fresh("contractor");
        String user = Users.registerAndLogin(server, userName);
        String userId = json(get(server, "/api/auth/verify", user)).at("/user/id").asText();
        JsonNode created = createKey(admin, "{\"name\":\"ci\",\"user_id\":\"" + userId + "\",\"models\":[\"fake-*\"],"
                + "\"rpm\":100,\"tpm\":50000,\"metadata\":{\"team\":\"infra\",\"tags\":[\"ci\"]}}");
        String id = created.path("id").asText();
        String key = created.path("key").asText();
        assertTrue(key.startsWith("sk-sluice-"));
        assertEquals(userId, created.path("user_id").asText());
        assertEquals("[\"fake-*\"]", created.path("models").toString());
        assertEquals(50000, created.path("tpm").asInt());
        assertEquals("infra", created.at("/metadata/team").asText());

        // Listed for its owner and for an admin asking for that user, never with the secret.
        for (HttpResponse<String> r : new HttpResponse[] {get(server, "/api/keys", user),
                                                          get(server, "/api/keys?user_id=" + userId, admin),
                                                          get(server, "/api/keys?all=true", admin)}) {
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains(id), r.body());
            assertFalse(r.body().contains(key), "the secret is never listed");
        }
        assertEquals(403, get(server, "/api/keys?all=true", user).statusCode(), "other users' keys are for admins");

        // One key reads as in the list, for its owner and for an admin; another user's is a 404, and so is a malformed id (as for PATCH and DELETE: ids are not told apart).
        for (String bearer : new String[] {user, admin}) {
            HttpResponse<String> one = get(server, "/api/keys/" + id, bearer);
            assertEquals(200, one.statusCode(), one.body());
            assertFalse(one.body().contains(key), "the secret is never shown again");
            assertEquals(id, json(one).path("id").asText());
            assertEquals("api_key", json(one).path("object").asText());
            assertEquals(created.path("prefix").asText(), json(one).path("prefix").asText());
            assertEquals("[\"fake-*\"]", json(one).path("models").toString());
            assertEquals("infra", json(one).at("/metadata/team").asText());
            assertTrue(json(one).has("budget"), one.body());
            assertFalse(json(one).has("key"), one.body());
        }
        String stranger = Users.registerAndLogin(server, Users.fresh("stranger"));
        HttpResponse<String> foreign = get(server, "/api/keys/" + id, stranger);
        assertEquals(404, foreign.statusCode(), foreign.body());
        assertEquals("api_key_not_found", json(foreign).at("/error/code").asText(), foreign.body());
        assertEquals(404, get(server, "/api/keys/" + java.util.UUID.randomUUID(), user).statusCode(), "a missing key");
        HttpResponse<String> bad = get(server, "/api/keys/not-a-key", user);
        assertEquals(404, bad.statusCode(), bad.body());
        assertEquals("api_key_not_found", json(bad).at("/error/code").asText(), bad.body());
        assertEquals(403, send(server, "PATCH", "/api/keys/" + id, user, "{\"models\":null}").statusCode(),
                     "a user may not widen their key's scope");
        assertEquals(200, get(server, "/v1/models", key).statusCode());

        // PATCH: clear the allow-list, change the metadata; then disable (401 at once), enable again.
        HttpResponse<String> patched = send(server, "PATCH", "/api/keys/" + id, admin, "{\"models\":null,\"metadata\":{\"team\":\"web\"}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertTrue(json(patched).path("models").isNull());
        assertEquals("web", json(patched).at("/metadata/team").asText());
        assertEquals(400, send(server, "PATCH", "/api/keys/" + id, admin, "{\"rpm\":-1}").statusCode(), "bad values are a 400");
        assertEquals(200, send(server, "PATCH", "/api/keys/" + id, admin, "{\"disabled\":true}").statusCode());
        HttpResponse<String> refused = get(server, "/v1/models", key);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("disabled"), refused.body());
        assertEquals(200, send(server, "PATCH", "/api/keys/" + id, admin, "{\"disabled\":false}").statusCode());
        assertEquals(200, get(server, "/v1/models", key).statusCode());

        // An admin deletes any user's key; the key stops working.
        assertEquals(200, Users.delete(server, "/api/keys/" + id, admin).statusCode());
        assertEquals(401, get(server, "/v1/models", key).statusCode());
        assertEquals(404, send(server, "PATCH", "/api/keys/" + id, admin, "{\"name\":\"x\"}").statusCode());
    }

    @Test
    void allowListRefusesOtherModelsWith403AndHidesThemFromModels() {
        String user = Users.registerAndLogin(server, Users.fresh("allow"));
        String key = createKey(user, "{\"models\":[\"fake-*\"]}").path("key").asText();

        HttpResponse<String> other = post(server, "/v1/chat/completions", key, chat("other-model", "hi"));
        assertEquals(403, other.statusCode(), other.body());
        assertEquals("model_not_allowed", json(other).at("/error/code").asText());
        assertEquals(200, post(server, "/v1/chat/completions", key, chat("fake-model", "hi")).statusCode());

        JsonNode models = json(get(server, "/v1/models", key));
        assertEquals(1, models.path("data").size(), models.toString());
        assertEquals("fake-model", models.at("/data/0/id").asText());
        assertEquals(404, get(server, "/v1/models/other-model", key).statusCode(), "hidden like an unknown model");
        assertEquals(200, get(server, "/v1/models/fake-model", key).statusCode());
        assertTrue(json(get(server, "/v1/models", user)).path("data").size() >= 2, "the user's login token sees every model");
    }

    @Test
    void tokensPerMinuteLimitAnswers429WithTheResetHeader() {
        String user = Users.registerAndLogin(server, Users.fresh("tpm"));
        String key = createKey(user, "{\"tpm\":20}").path("key").asText();
        String prompt = "x".repeat(120);   // estimated at 30 tokens: fits alone, never twice in a minute
        HttpResponse<String> first = post(server, "/v1/chat/completions", key, chat("fake-model", prompt));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("20", first.headers().firstValue("x-ratelimit-limit-tokens").orElse(""));
        HttpResponse<String> refused = null;
        for (int i = 0; i < 3 && refused == null; i++) {   // a minute may turn between two calls, never twice
            HttpResponse<String> r = post(server, "/v1/chat/completions", key, chat("fake-model", prompt));
            if (r.statusCode() == 429) {
                refused = r;
            }
        }
        assertNotNull(refused, "a key over its tokens per minute is refused");
        assertEquals("rate_limit_exceeded", json(refused).at("/error/code").asText());
        assertTrue(json(refused).at("/error/message").asText().contains("tokens per min"), refused.body());
        String reset = refused.headers().firstValue("x-ratelimit-reset-tokens").orElse("");
        assertTrue(reset.matches("\\d+s") && Integer.parseInt(reset.replace("s", "")) <= 60, "reset header: " + reset);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertEquals(200, post(server, "/v1/chat/completions", user, chat("fake-model", prompt)).statusCode(),
                     "the limit is the key's, not its user's");
    }

    @Test
    void anExpiredKeyIsRefused() {
        String user = Users.registerAndLogin(server, Users.fresh("expiry"));
        assertEquals(400, post(server, "/api/keys", user, "{\"expires_at\":\"2001-01-01T00:00:00Z\"}").statusCode());
        String expires = OffsetDateTime.now().plusSeconds(2).toString();
        String key = createKey(user, "{\"expires_at\":\"" + expires + "\"}").path("key").asText();
        assertEquals(200, get(server, "/v1/models", key).statusCode());
        TestServer.await("the key expires", Duration.ofSeconds(10), () -> get(server, "/v1/models", key).statusCode() == 401);
        assertTrue(get(server, "/v1/models", key).body().contains("expired"));
    }

    @Test
    void eachCallsCostIsStoredWithItsUsageRowFromThePriceTable() throws Exception {
        String user = Users.registerAndLogin(server, Users.fresh("cost"));
        JsonNode created = createKey(user, "{\"name\":\"cost\"}");
        String key = created.path("key").asText();
        String keyId = created.path("id").asText();
        fake.then(FakeUpstreamCached.answer(11, 5, 4));   // 11 prompt tokens, 4 of them cached, 5 completion
        String requestId = "cost-" + UUID.randomUUID();
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").header("X-Request-Id", requestId)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("fake-model", "price me"))));
        assertEquals(200, r.statusCode(), r.body());

        TestServer.await("usage row", Duration.ofSeconds(10), () -> row(requestId) != null);
        Object[] row = row(requestId);
        BigDecimal expected = BigDecimal.valueOf((7 * INPUT + 4 * CACHED + 5 * OUTPUT) / 1_000_000).setScale(9);
        assertEquals(0, expected.compareTo((BigDecimal) row[0]), "cost " + row[0] + ", expected " + expected);
        assertEquals(keyId, row[1].toString());
        assertEquals(4, row[2]);
        assertNotNull(row[3], "the paying user is recorded");

        // GET /v1/usage: the user's own totals, as JSON and as CSV.
        JsonNode usage = json(get(server, "/v1/usage", user));
        assertEquals(1, usage.at("/total/requests").asInt(), usage.toString());
        assertEquals(0, expected.compareTo(new BigDecimal(usage.at("/total/cost").asText())), usage.toString());
        assertEquals(keyId, usage.at("/by_key/0/key_id").asText());
        assertEquals("fake-model", usage.at("/by_model/0/model").asText());
        HttpResponse<String> csv = get(server, "/v1/usage?format=csv", user);
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertTrue(csv.body().startsWith("date,model,key_id,requests,"), csv.body());
        assertTrue(csv.body().contains(",fake-model," + keyId + ",1,11,5,4,"), csv.body());
        assertEquals(403, get(server, "/v1/usage?user_id=" + UUID.randomUUID(), user).statusCode(), "others' usage is for admins");
        assertEquals(1, json(get(server, "/v1/usage?key_id=" + keyId, admin)).at("/total/requests").asInt());
        assertEquals(400, get(server, "/v1/usage?from=yesterday", user).statusCode());

        String metrics = server.get("/observe/metrics").body();
        String prefix = created.path("prefix").asText();
        assertTrue(metrics.matches("(?s).*sluice_spend_tokens_total\\{[^}]*key=\"" + prefix + "\"[^}]*} .*"), "tokens by key prefix");
        assertTrue(metrics.contains("sluice_spend_cost_micros_total{"), "spend counter");
    }

    /** cost, key_id, cached_tokens, owner of the request's usage row; null until it is written. */
    private static Object[] row(String requestId) {
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("SELECT cost, key_id, cached_tokens, owner FROM llm_usage WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Object[] {rs.getBigDecimal(1), rs.getObject(2), rs.getInt(3), rs.getString(4)} : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A non-streamed answer whose usage names a cached part of the prompt, as OpenAI sends it. */
    static final class FakeUpstreamCached {
        static FakeUpstream.Behavior answer(int prompt, int completion, int cached) {
            return (fake, ex, req) -> {
                ObjectNode o = Json.MAPPER.createObjectNode().put("id", "chatcmpl-cached").put("object", "chat.completion")
                        .put("created", 1700000000).put("model", req.path("model").asText());
                ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", "cheap");
                choice.put("finish_reason", "stop");
                ObjectNode usage = o.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                        .put("total_tokens", prompt + completion);
                usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
                byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            };
        }

        private FakeUpstreamCached() {
        }
    }
}
