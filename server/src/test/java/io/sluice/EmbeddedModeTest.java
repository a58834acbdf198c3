package io.sluice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * `make run` on a fresh machine: no URLs configured, Sluice starts its own PostgreSQL and Redis,
 * and their data survives a restart.
 */
class EmbeddedModeTest {

    @Test
    void startsItsOwnPostgresAndRedisAndKeepsDataAcrossRestarts() throws Exception {
        Path data = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "embedded-");
        int redisPort = freePort();
        Map<String, String> embedded = Map.of(
                "database.url", "",
                "redis.url", "",
                "database.embedded.data-dir", data.resolve("postgres").toString(),
                "redis.embedded.data-dir", data.resolve("redis").toString(),
                "redis.embedded.port", String.valueOf(redisPort));

        String installation;
        try (TestServer first = TestServer.start(embedded)) {
            assertEquals(200, first.get("/observe/health/ready").statusCode());
            installation = json(first.get("/metrics")).at("/server_info/installation_id").asText();
            assertFalse(installation.isEmpty());
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                jedis.set("sluice:test:kept", "yes");
            }
        }
        try (TestServer second = TestServer.start(embedded)) {
            assertEquals(200, second.get("/observe/health/ready").statusCode());
            assertEquals(installation, json(second.get("/metrics")).at("/server_info/installation_id").asText(),
                         "PostgreSQL data kept across restarts");
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                assertEquals("yes", jedis.get("sluice:test:kept"), "Redis append-only file kept across restarts");
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
