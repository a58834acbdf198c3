package io.sluice.auth;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.sluice.infra.Embedded;
import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The invalidation subscriptions are cut (CLIENT KILL TYPE pubsub) and a key is deleted and a token
 * logged out while they are down, so the messages reach nobody: the other instance still refuses
 * both within a second (its caches step aside and it asks PostgreSQL / Redis), and keeps refusing
 * them from memory once it has resubscribed and reloaded. Its own Redis, so the kill hits only these.
 */
class InvalidationOutageTest {
    private static final Duration PROPAGATION = Duration.ofSeconds(5);

    @Test
    void changesMissedWhileDisconnectedAreStillRefused() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "outage-");
        try (Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"));
             Jedis admin = new Jedis(URI.create(redis.url()))) {
            Map<String, String> config = Map.of("redis.url", redis.url(), "auth.enabled", "true", "auth.registration", "true",
                                                "auth.jwt-secret", "outage-test-secret-0123456789abcdefghijklmnop",
                                                "auth.cache.ttl", "10m",
                                                "tasks.reconcile-interval", "1h");   // its queue statistics call EXISTS too
            try (TestServer a = TestServer.start(config); TestServer b = TestServer.start(config)) {
                TestServer.await("both instances subscribed", Duration.ofSeconds(10), () -> subscribers(admin) == 2);
                String user = Users.fresh("outage");
                String owner = Users.registerAndLogin(a, user);
                String token = Users.login(a, user, Users.PASSWORD);
                HttpResponse<String> created = post(a, "/api/keys", owner, "{}");
                String key = TestServer.json(created).path("key").asText();
                String id = TestServer.json(created).path("id").asText();
                assertEquals(200, get(b, "/v1/models", key).statusCode());   // cached on b
                assertEquals(200, get(b, "/api/auth/verify", token).statusCode());

                admin.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
                assertEquals(200, post(a, "/api/auth/logout", token, "{}").statusCode());
                assertEquals(200, Users.delete(a, "/api/keys/" + id, owner).statusCode());
                // The cache TTL is 10 minutes: only the outage handling can explain a refusal. The bound is wide for a
                // loaded CI machine (where one request can take most of a second), not a measure of speed.
                TestServer.await("b refuses the logged-out token", PROPAGATION,
                        () -> get(b, "/api/auth/verify", token).statusCode() == 401);
                TestServer.await("b refuses the deleted key", PROPAGATION,
                        () -> get(b, "/v1/models", key).statusCode() == 401);

                TestServer.await("both instances subscribed again", Duration.ofSeconds(10), () -> subscribers(admin) == 2);
                // The reload after subscribing runs in the background: wait (bounded) until a refusal costs no
                // EXISTS, instead of a fixed 300 ms that a loaded machine could overrun.
                TestServer.await("b trusts its memory again after the reload", Duration.ofSeconds(10), () -> {
                    long before = existsCalls(admin);
                    assertEquals(401, get(b, "/api/auth/verify", token).statusCode(), "refused throughout");
                    return existsCalls(admin) == before;
                });
                long exists = existsCalls(admin);
                for (int i = 0; i < 5; i++) {
                    assertEquals(401, get(b, "/api/auth/verify", token).statusCode(), "still refused after the reload");
                    assertEquals(401, get(b, "/v1/models", key).statusCode());
                }
                assertEquals(exists, existsCalls(admin), "refused from memory: the reload brought the revocation back");
                assertEquals(200, get(b, "/api/auth/verify", owner).statusCode(), "the owner's other token is untouched");
            }
        }
    }

    private static long subscribers(Jedis admin) {
        return admin.pubsubNumSub(InvalidationBus.CHANNEL).getOrDefault(InvalidationBus.CHANNEL, 0L);
    }

    /** Calls of EXISTS so far (the revocation look-up when the memory copy cannot be trusted). */
    private static long existsCalls(Jedis admin) {
        for (String line : admin.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_exists:calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }
}
