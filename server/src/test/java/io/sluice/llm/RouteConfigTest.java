package io.sluice.llm;

import java.util.List;
import java.util.Map;

import io.sluice.Settings;
import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.http.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routes with tiers, weights and strategies, breaker settings and the anthropic type, as an operator writes them. */
class RouteConfigTest {
    private static Settings settings(Map<String, String> overrides) {
        return Settings.from(AppConfig.load(overrides));
    }

    private static String error(Map<String, String> overrides) {
        return assertThrows(InvalidConfigException.class, () -> settings(overrides)).getMessage();
    }

    @Test
    void tiersWeightsAndStrategyAreRead() {
        LlmModel m = settings(Map.of("llm.models.m.route", "simulated:a*3 | simulated:b, simulated:c",
                                     "llm.models.m.strategy", "least-busy")).llm().models().get("m");
        assertEquals(LlmModel.Strategy.LEAST_BUSY, m.strategy());
        assertEquals(List.of(new LlmModel.Target("simulated", "a", 3, 0), new LlmModel.Target("simulated", "b", 1, 0)),
                     m.tiers().get(0));
        assertEquals(List.of(new LlmModel.Target("simulated", "c", 1, 1)), m.tiers().get(1));
    }

    @Test
    void aPlainRouteIsOneTargetPerTierWeightedByDefault() {
        Settings s = settings(Map.of());
        LlmModel m = s.llm().models().get("sluice-sim");
        assertEquals(LlmModel.Strategy.WEIGHTED, m.strategy());
        assertEquals(List.of(List.of(new LlmModel.Target("simulated", "sluice-sim-1"))), m.tiers());
        assertTrue(s.llm().breaker().enabled());
        assertEquals(5, s.llm().breaker().consecutiveFailures());
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(error(Map.of("llm.models.m.route", "simulated:a*0")).contains("llm.models.m.route"));
        assertTrue(error(Map.of("llm.models.m.route", "simulated:a*x")).contains("weight"));
        assertTrue(error(Map.of("llm.models.m.route", "simulated:a", "llm.models.m.strategy", "fastest"))
                           .contains("llm.models.m.strategy"));
        assertTrue(error(Map.of("llm.breaker.failure-percent", "101")).contains("llm.breaker.failure-percent"));
        assertTrue(error(Map.of("llm.breaker.cooldown", "0s")).contains("llm.breaker.cooldown"));
        assertTrue(error(Map.of("llm.providers.c.type", "anthropic", "llm.providers.c.base-url", "ftp://x"))
                           .contains("llm.providers.c.base-url"));
    }

    @Test
    void anthropicProviderDefaultsAndKeyIsNeverPrinted() {
        Settings s = settings(Map.of("llm.providers.claude.type", "anthropic", "llm.providers.claude.api-key", "sk-ant-secret"));
        LlmProvider p = s.llm().providers().get("claude");
        assertEquals("https://api.anthropic.com/v1", p.baseUrl());
        assertEquals("2023-06-01", p.anthropicVersion());
        assertEquals(4096, p.defaultMaxTokens());
        assertFalse((Json.write(s.masked()) + p).contains("sk-ant-secret"));
    }
}
