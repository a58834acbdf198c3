package io.sluice.llm;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.Settings;
import io.sluice.http.Json;
import io.sluice.limits.BulkheadSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The llm/bulkheads/sessions sections as an operator writes them: defaults that run, errors that name the key, keys never printed. */
class LlmConfigTest {
    private static Settings settings(Map<String, String> overrides) {
        return Settings.from(AppConfig.load(overrides));
    }

    private static String error(Map<String, String> overrides) {
        return assertThrows(InvalidConfigException.class, () -> settings(overrides)).getMessage();
    }

    @Test
    void defaultsServeTheSimulatedModelWithTheSeedBulkheads() {
        Settings s = settings(Map.of());
        assertEquals("simulated", s.llm().models().get("sluice-sim").route().getFirst().provider());
        assertTrue(s.llm().providers().get("simulated").simulated());
        assertEquals(new BulkheadSettings("llm", 10, 50, Duration.ofSeconds(30)), s.bulkheads().get("llm"));
        assertEquals(5, s.bulkheads().get("tts").maxConcurrent());
        assertEquals(8, s.bulkheads().get("asr").maxConcurrent());
        assertEquals("sluice-sim", s.sessions().defaultModel());
    }

    @Test
    void providerAndModelCanBeAddedWithFlatKeysAsEnvironmentVariablesDo() {
        Map<String, String> env = new HashMap<>();
        env.put("llm.providers.openai.type", "openai-compatible");
        env.put("llm.providers.openai.base-url", "https://api.example.com/v1/");
        env.put("llm.providers.openai.api-key", "sk-very-secret");
        env.put("llm.models.gpt-4-1.name", "gpt-4.1");
        env.put("llm.models.gpt-4-1.route", "openai:gpt-4.1, simulated:sim");
        Settings s = settings(env);
        LlmModel model = s.llm().models().get("gpt-4.1");
        assertEquals("openai", model.route().get(0).provider());
        assertEquals("gpt-4.1", model.route().get(0).model());
        assertEquals("simulated", model.route().get(1).provider());
        assertEquals("https://api.example.com/v1", s.llm().providers().get("openai").baseUrl());

        String printed = Json.write(s.masked()) + s.llm().providers().get("openai");
        assertFalse(printed.contains("sk-very-secret"), printed);
        assertTrue(Json.write(s.masked()).contains("***"));
    }

    @Test
    void mistakesStopStartUpNamingTheKey() {
        assertTrue(error(Map.of("llm.models.x.route", "nowhere:m")).contains("llm.models.x.route"));
        assertTrue(error(Map.of("llm.models.x.route", "simulated")).contains("provider:upstream-model"));
        assertTrue(error(Map.of("llm.providers.p.type", "openai-compatible")).contains("llm.providers.p.base-url"));
        assertTrue(error(Map.of("llm.providers.p.type", "grpc")).contains("llm.providers.p.type"));
        assertTrue(error(Map.of("bulkheads.llm.max-concurrent", "0")).contains("bulkheads.llm.max-concurrent"));
        assertTrue(error(Map.of("sessions.default-model", "nope")).contains("sessions.default-model"));
        assertTrue(error(Map.of("llm.retry.budget-percent", "150")).contains("llm.retry.budget-percent"));
        assertTrue(error(Map.of("llm.upstream.idle-timeout", "soon")).contains("llm.upstream.idle-timeout"));
    }
}
