package io.sluice.auth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances with credential caching on (a long TTL, so only the invalidations can empty it): a
 * key deleted or a token logged out on one is refused on the other within a second.
 */
class CredentialCacheTest {
    /**
     * How long another instance may take to act on an invalidation here. The aim is about a second; the bound is
     * wider because on a loaded 2-core CI machine a single request can take most of a second. It still tells an
     * invalidation from an expiry: the cache TTL is 10 minutes.
     */
    private static final Duration PROPAGATION = Duration.ofSeconds(5);
    private static final String SECRET = "cache-test-secret-0123456789abcdefghijklmnop";
    private static final Pattern HITS = Pattern.compile("(?m)^sluice_auth_key_cache_hits(?:\\{[^}]*})? ([0-9.eE+]+)");
    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        Map<String, String> config = Map.of("auth.enabled", "true", "auth.registration", "true", "auth.jwt-secret", SECRET,
                                            "auth.cache.ttl", "10m", "auth.cache.max-entries", "1000");
        a = TestServer.start(config);
        b = TestServer.start(config);
        TestServer.await("invalidations subscribed", Duration.ofSeconds(10),   // a's gauge (see below)
                () -> a.get("/observe/metrics").body().matches("(?s).*sluice_auth_invalidations_live(\\{[^}]*})? 1.*"));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void aKeyDeletedOnOneInstanceIsRefusedOnTheOtherWithinOneSecond() {
        // The servers of one JVM share one meter registry, where the first one's gauges stay: the
        // instance whose cache is checked is therefore a, and the key is deleted on b.
        String token = Users.registerAndLogin(b, Users.fresh("cache-key"));
        HttpResponse<String> created = post(b, "/api/keys", token, "{\"name\":\"cached\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = TestServer.json(created).path("key").asText();
        String id = TestServer.json(created).path("id").asText();

        double hitsBefore = hits(a);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(a, "/v1/models", key).statusCode());
        }
        assertTrue(hits(a) >= hitsBefore + 2, "instance a answers the known key from memory");

        assertEquals(200, Users.delete(b, "/api/keys/" + id, token).statusCode());
        assertEquals(401, get(b, "/v1/models", key).statusCode(), "refused at once where it was deleted");
        TestServer.await("instance a refuses the deleted key", PROPAGATION,
                () -> get(a, "/v1/models", key).statusCode() == 401);
        for (int i = 0; i < 5; i++) {
            assertEquals(401, get(a, "/v1/models", key).statusCode(), "and never accepts it again");
        }
    }

    @Test
    void aTokenLoggedOutOnOneInstanceIsRefusedOnTheOtherWithinOneSecond() {
        String token = Users.registerAndLogin(a, Users.fresh("cache-jwt"));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(b, "/api/auth/verify", token).statusCode());
        }
        assertEquals(200, post(a, "/api/auth/logout", token, "{}").statusCode());
        assertEquals(401, get(a, "/api/auth/verify", token).statusCode());
        TestServer.await("instance B refuses the logged-out token", PROPAGATION,
                () -> get(b, "/api/auth/verify", token).statusCode() == 401);
        for (int i = 0; i < 5; i++) {
            assertEquals(401, get(b, "/v1/models", token).statusCode());
        }
    }

    @Test
    void wrongKeysAreNeverCached() {
        String token = Users.registerAndLogin(a, Users.fresh("cache-wrong"));
        String key = TestServer.json(post(a, "/api/keys", token, "{}")).path("key").asText();
        assertEquals(200, get(a, "/v1/models", key).statusCode());
        String wrong = key.substring(0, key.length() - 4) + (key.endsWith("AAAA") ? "BBBB" : "AAAA");   // right prefix, wrong secret
        double hitsBefore = hits(a);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(a, "/v1/models", wrong);
            assertEquals(401, r.statusCode(), r.body());
        }
        assertEquals(hitsBefore, hits(a), "a wrong key is looked up in PostgreSQL every time");
        assertEquals(200, get(a, "/v1/models", key).statusCode());
    }

    private static double hits(TestServer s) {
        Matcher m = HITS.matcher(s.get("/observe/metrics").body());
        assertTrue(m.find(), "metric sluice_auth_key_cache_hits");
        return Double.parseDouble(m.group(1));
    }
}
