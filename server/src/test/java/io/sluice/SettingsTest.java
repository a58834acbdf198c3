package io.sluice;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.AppConfig;
import io.sluice.http.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What --check-config prints: every section, with no secret of any feature in it. */
class SettingsTest {

    @Test
    void maskedSettingsShowEverySectionButNoSecret() {
        Settings s = Settings.from(AppConfig.load(Map.of(
                "auth.jwt-secret", "jwt-secret-that-must-never-be-printed-0123",
                "auth.admin.password", "admin-password-never-printed",
                "redis.url", "redis://user:redis-pass@cache:6379/0",
                "database.url", "postgres://app:db-pass@db:5432/sluice?password=db-pass")));
        JsonNode masked = s.masked();
        String printed = Json.write(masked);
        for (String secret : new String[] {"jwt-secret-that-must", "admin-password-never", "redis-pass", "db-pass"}) {
            assertFalse(printed.contains(secret), secret + " printed: " + printed);
        }
        assertEquals("***", masked.at("/auth/jwtSecret").asText());
        assertEquals("redis://***@cache:6379/0", masked.at("/redis/url").asText());
        assertEquals("postgres://***@db:5432/sluice?password=***", masked.at("/database/url").asText());
        assertEquals(s.tasks().workerCount(), masked.at("/tasks/workerCount").asInt(), "feature sections are printed too");
        assertEquals(s.llm().asyncDefault(), s.tasks().asyncDefault(), "tasks take llm.async-default from the llm section");
    }
}
