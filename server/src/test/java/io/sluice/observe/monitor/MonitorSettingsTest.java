package io.sluice.observe.monitor;

import java.util.Map;

import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader;
import io.sluice.config.Masking;
import io.sluice.http.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** monitoring.* is read once and validated: a bad value names its key; the webhook URL is never printed. */
class MonitorSettingsTest {

    private static MonitorSettings read(Map<String, String> overrides) {
        return MonitorSettings.from(new ConfigReader(AppConfig.load(overrides)));
    }

    @Test
    void defaultsAreTheSeedThresholds() {
        MonitorSettings s = read(Map.of());
        assertEquals(80, s.cpuPercent());
        assertEquals(85, s.memoryPercent());
        assertEquals(5, s.errorRatePercent());
        assertEquals(5000, s.responseTime().toMillis());
        assertEquals(400, s.activeConnections());
        assertEquals(null, s.webhookUrl());
    }

    @Test
    void badValuesNameTheirKey() {
        var e = assertThrows(ConfigReader.InvalidConfigException.class,
                             () -> read(Map.of("monitoring.alerts.webhook-url", "ftp://hooks.example/x")));
        assertTrue(e.getMessage().contains("monitoring.alerts.webhook-url"), e.getMessage());
        e = assertThrows(ConfigReader.InvalidConfigException.class,
                         () -> read(Map.of("monitoring.alerts.cpu-percent", "180")));
        assertTrue(e.getMessage().contains("monitoring.alerts.cpu-percent"), e.getMessage());
        e = assertThrows(ConfigReader.InvalidConfigException.class, () -> read(Map.of("monitoring.interval", "often")));
        assertTrue(e.getMessage().contains("monitoring.interval"), e.getMessage());
    }

    @Test
    void theWebhookUrlIsMaskedWhenSettingsArePrinted() {
        MonitorSettings s = read(Map.of("monitoring.alerts.webhook-url", "https://hooks.example/services/T0/B0/secret-token"));
        assertEquals("hooks.example", s.webhookUrl().getHost());
        String printed = Json.write(Masking.tree(Json.MAPPER, s));
        assertFalse(printed.contains("secret-token"), printed);
    }
}
