package io.sluice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration as an operator meets it, through a real process: config.yaml, then the override
 * file, then environment variables; a bad value stops start-up naming the key and the value.
 */
class ConfigTest {
    @TempDir
    Path dir;

    private JsonNode effective(Map<String, String> env) throws Exception {
        try (ServerProcess p = ServerProcess.start(dir, env, "--check-config")) {
            int code = p.waitFor(30);
            assertEquals(0, code, p.output());
            String out = p.output();
            return Json.MAPPER.readTree(out.substring(out.indexOf('{')));
        }
    }

    @Test
    void fileThenOverrideFileThenEnvironment() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), """
                admission:
                  max-concurrent-requests: 40
                  max-concurrent-streaming: 10
                  queue-timeout: 3s
                """);
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/.performance.yaml"), """
                admission:
                  max-concurrent-streaming: 12
                  queue-timeout: 4s
                """);

        JsonNode s = effective(Map.of("ADMISSION_QUEUE_dash_TIMEOUT", "750ms"));
        assertEquals(40, s.at("/admission/maxConcurrentRequests").asInt(), "from config.yaml");
        assertEquals(12, s.at("/admission/maxConcurrentStreaming").asInt(), "override file beats config.yaml");
        assertEquals("PT0.75S", s.at("/admission/queueTimeout").asText(), "environment beats both");
        assertEquals("PT5M", s.at("/admission/requestDeadline").asText(), "packaged defaults fill the rest");
    }

    @Test
    void environmentNamesDatabaseUrlAndSecretsAreMasked() throws Exception {
        JsonNode s = effective(Map.of("DATABASE_URL", "postgres://app:hunter2@db.internal:6432/sluice",
                                      "DATABASE_PGBOUNCER", "true"));
        assertEquals("postgres://***@db.internal:6432/sluice", s.at("/database/url").asText());
        assertTrue(s.at("/database/pgbouncer").asBoolean());
        assertEquals("***", s.at("/database/password").asText());
    }

    private String failure(Map<String, String> env) throws Exception {
        try (ServerProcess p = ServerProcess.start(dir, env, "--check-config")) {
            assertEquals(2, p.waitFor(30), p.output());
            return p.output();
        }
    }

    @Test
    void invalidValuesStopStartUpNamingTheKey() throws Exception {
        String negative = failure(Map.of("ADMISSION_MAX_dash_CONCURRENT_dash_REQUESTS", "-1"));
        assertTrue(negative.contains("admission.max-concurrent-requests = '-1'") && negative.contains(">= 1"), negative);

        String duration = failure(Map.of("ADMISSION_QUEUE_dash_TIMEOUT", "soon"));
        assertTrue(duration.contains("admission.queue-timeout = 'soon'") && duration.contains("not a duration"), duration);

        String mode = failure(Map.of("APP_MODE", "staging"));
        assertTrue(mode.contains("app.mode"), mode);

        String secret = failure(Map.of("APP_MODE", "production", "DATABASE_URL", "jdbc:postgresql://db/sluice"));
        assertTrue(secret.contains("database.password") && secret.contains("production"), secret);
        assertTrue(!secret.contains("sluice'"), "the secret itself is not printed: " + secret);
    }

    @Test
    void redisSentinelsNeedHostPortsAndAMasterName() throws Exception {
        JsonNode s = effective(Map.of("REDIS_SENTINELS", "127.0.0.1:26379, 127.0.0.1:26380", "REDIS_MASTER_dash_NAME", "sluice"));
        assertEquals("127.0.0.1:26380", s.at("/redis/sentinels/1").asText(), s.toString());
        assertEquals("sluice", s.at("/redis/masterName").asText());

        String noName = failure(Map.of("REDIS_SENTINELS", "127.0.0.1:26379"));
        assertTrue(noName.contains("redis.master-name"), noName);
        String badAddress = failure(Map.of("REDIS_SENTINELS", "sentinel-a", "REDIS_MASTER_dash_NAME", "sluice"));
        assertTrue(badAddress.contains("redis.sentinels = 'sentinel-a'") && badAddress.contains("host:port"), badAddress);
    }
}
