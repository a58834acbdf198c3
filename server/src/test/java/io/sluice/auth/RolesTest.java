package io.sluice.auth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.Users.delete;
import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static io.sluice.support.Users.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Roles are the user's current ones, not the token's: prompt-scene writes are for admins, and a
 * user demoted, disabled or deleted on one instance loses those rights on the other within a second
 * (both instances cache users for 10 minutes here, so only the invalidation can do it).
 */
class RolesTest {
    /**
     * How long another instance may take to act on an invalidation here. The aim is about a second; the bound is
     * wider because on a loaded 2-core CI machine a single request can take most of a second. It still tells an
     * invalidation from an expiry: the cache TTL is 10 minutes.
     */
    private static final Duration PROPAGATION = Duration.ofSeconds(5);
    private static final String SECRET = "roles-test-secret-0123456789abcdefghijklmnop";
    private static final String SCENE = "{\"template\":\"Hi {{name}}\",\"model\":\"sluice-sim\"}";
    private static TestServer a;
    private static TestServer b;
    private static String root;   // an admin who changes the others

    @BeforeAll
    static void start() {
        Map<String, String> config = Map.of("auth.enabled", "true", "auth.registration", "true", "auth.jwt-secret", SECRET,
                                            "auth.cache.ttl", "10m", "auth.cache.max-entries", "1000",
                                            "llm.providers.simulated.latency", "10ms",
                                            "llm.providers.simulated.tokens-per-second", "2000");
        a = TestServer.start(config);
        b = TestServer.start(config);
        TestServer.await("invalidations subscribed", Duration.ofSeconds(10),
                () -> a.get("/observe/metrics").body().matches("(?s).*sluice_auth_invalidations_live(\\{[^}]*})? 1.*"));
        root = Users.admin(a, Users.fresh("root"));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void sceneWritesAreForAdminsReadsAndCallsForEveryone() {
        String user = Users.registerAndLogin(a, Users.fresh("scene-user"));
        String scene = "roles-" + Users.fresh("s");
        for (HttpResponse<String> r : new HttpResponse[] {
                post(a, "/api/llmchat/prompts", user, "{\"scene\":\"" + scene + "\"," + SCENE.substring(1)),
                send(a, "PUT", "/api/llmchat/prompts/" + scene, user, SCENE)}) {
            assertForbidden(r);
        }
        assertEquals(404, get(a, "/api/llmchat/prompts/" + scene, user).statusCode(), "the refused writes stored nothing");

        assertEquals(201, post(a, "/api/llmchat/prompts", root, "{\"scene\":\"" + scene + "\"," + SCENE.substring(1)).statusCode());
        assertForbidden(send(a, "PUT", "/api/llmchat/prompts/" + scene, user, "{\"template\":\"pwned\",\"model\":\"sluice-sim\"}"));
        assertForbidden(delete(a, "/api/llmchat/prompts/" + scene, user));
        assertEquals("Hi {{name}}", TestServer.json(get(b, "/api/llmchat/prompts/" + scene, user)).path("template").asText());
        assertEquals(200, get(a, "/api/llmchat/prompts", user).statusCode());
        assertEquals(200, post(a, "/api/llmchat/prompts/" + scene + "/api?sync=true", user, "{\"name\":\"x\"}").statusCode());
        assertEquals(200, send(a, "PUT", "/api/llmchat/prompts/" + scene, root, SCENE).statusCode());
        assertEquals(200, delete(a, "/api/llmchat/prompts/" + scene, root).statusCode());
    }

    @Test
    void aDemotedAdminLosesAdminRightsOnEveryInstanceWithinOneSecond() {
        String name = Users.fresh("demoted");
        String token = Users.admin(a, name);
        String scene = "demote-" + Users.fresh("s");
        assertEquals(201, post(b, "/api/llmchat/prompts", token, "{\"scene\":\"" + scene + "\"," + SCENE.substring(1)).statusCode(),
                     "an admin on b (b now caches the user as admin)");
        assertEquals(200, send(b, "PUT", "/api/llmchat/prompts/" + scene, token, SCENE).statusCode());

        HttpResponse<String> demoted = send(a, "PATCH", "/api/users/" + id(token), root, "{\"role\":\"user\"}");
        assertEquals(200, demoted.statusCode(), demoted.body());
        assertForbidden(send(a, "PUT", "/api/llmchat/prompts/" + scene, token, SCENE));
        TestServer.await("b refuses the demoted admin", PROPAGATION,
                () -> send(b, "PUT", "/api/llmchat/prompts/" + scene, token, SCENE).statusCode() == 403);
        assertForbidden(send(b, "PUT", "/api/llmchat/prompts/" + scene, token, SCENE));
        assertEquals("user", TestServer.json(get(b, "/api/auth/verify", token)).at("/user/role").asText());
        assertEquals(200, get(b, "/api/llmchat/prompts/" + scene, token).statusCode(), "still a user: reads work");
        assertForbidden(get(b, "/api/users", token));
    }

    @Test
    void disabledAndDeletedUsersAre401EverywhereWithinOneSecond() {
        String disabledName = Users.fresh("disabled");
        String disabled = Users.registerAndLogin(a, disabledName);
        String gone = Users.registerAndLogin(a, Users.fresh("deleted"));
        String key = TestServer.json(post(a, "/api/keys", gone, "{}")).path("key").asText();
        String disabledId = id(disabled);
        String goneId = id(gone);
        for (String credential : new String[] {disabled, gone, key}) {
            assertEquals(200, get(b, "/v1/models", credential).statusCode(), "known (and cached) on b");
        }

        assertEquals(200, send(a, "PATCH", "/api/users/" + disabledId, root, "{\"disabled\":true}").statusCode());
        assertEquals(200, delete(a, "/api/users/" + goneId, root).statusCode());
        for (String credential : new String[] {disabled, gone, key}) {
            HttpResponse<String> here = get(a, "/v1/models", credential);
            assertEquals(401, here.statusCode(), here.body());
            assertEquals("invalid_api_key", TestServer.json(here).at("/error/code").asText());
            TestServer.await("b refuses a disabled or deleted user's credential", PROPAGATION,
                    () -> get(b, "/v1/models", credential).statusCode() == 401);
        }
        HttpResponse<String> login = b.postJson("/api/auth/login",
                "{\"username\":\"" + disabledName + "\",\"password\":\"" + Users.PASSWORD + "\"}");
        assertEquals(401, login.statusCode(), "a disabled user cannot log in");

        assertEquals(200, send(a, "PATCH", "/api/users/" + disabledId, root, "{\"disabled\":false}").statusCode());
        TestServer.await("b accepts the re-enabled user", PROPAGATION,
                () -> get(b, "/v1/models", disabled).statusCode() == 200);
        assertEquals(404, delete(a, "/api/users/" + goneId, root).statusCode());
        assertForbidden(delete(a, "/api/users/" + goneId, disabled));
    }

    private static String id(String token) {
        return TestServer.json(get(a, "/api/auth/verify", token)).at("/user/id").asText();
    }

    private static void assertForbidden(HttpResponse<String> r) {
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("admin_required", TestServer.json(r).at("/error/code").asText(), r.body());
        assertEquals("permission_error", TestServer.json(r).at("/error/type").asText(), r.body());
    }
}
