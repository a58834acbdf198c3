package io.sluice.observe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.sluice.infra.Embedded;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Readiness follows the backends: it turns 503 when PostgreSQL or Redis stops and back to 200 when
 * they return, without restarting Sluice. Liveness never depends on them. This test owns its own
 * PostgreSQL and Redis so it can stop them.
 */
class ReadinessTest {

    @Test
    void readinessFollowsPostgresAndRedis() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "readiness-");
        Embedded.Handle pg = Embedded.postgres(0, dir.resolve("pg"));
        Embedded.Handle redis = Embedded.redis(0, dir.resolve("redis"));
        int pgPort = pg.port();
        int redisPort = redis.port();
        try (TestServer server = TestServer.start(Map.of(
                "database.url", pg.url(),
                "redis.url", redis.url(),
                "database.connection-timeout", "1s",
                "redis.max-wait", "1s",
                "redis.connect-timeout", "500ms"))) {
            assertEquals(200, server.get("/observe/health/ready").statusCode());

            pg.close();
            await("ready 503 without PostgreSQL", Duration.ofSeconds(15),
                  () -> server.get("/observe/health/ready").statusCode() == 503);
            assertEquals(200, server.get("/observe/health/live").statusCode(), "liveness does not follow the database");
            assertEquals(200, server.get("/health").statusCode());

            pg = Embedded.postgres(pgPort, dir.resolve("pg"));
            await("ready again with PostgreSQL back", Duration.ofSeconds(20),
                  () -> server.get("/observe/health/ready").statusCode() == 200);

            redis.close();
            await("ready 503 without Redis", Duration.ofSeconds(15),
                  () -> server.get("/observe/health/ready").statusCode() == 503);
            assertEquals(200, server.get("/observe/health/live").statusCode());

            redis = Embedded.redis(redisPort, dir.resolve("redis"));
            await("ready again with Redis back", Duration.ofSeconds(20),
                  () -> server.get("/observe/health/ready").statusCode() == 200);
        } finally {
            pg.close();
            redis.close();
        }
    }
}
