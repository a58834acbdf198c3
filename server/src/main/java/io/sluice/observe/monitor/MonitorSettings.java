package io.sluice.observe.monitor;

import java.net.URI;
import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.Secret;

/**
 * The {@code monitoring:} section: how often the background sampler runs, which data directory it
 * measures (beside {@code logging.dir}), and the in-process alert thresholds (the seed's five).
 */
public record MonitorSettings(Duration interval,
                              String dataDir,
                              boolean alertsEnabled,
                              double cpuPercent,
                              double memoryPercent,
                              double errorRatePercent,
                              Duration responseTime,
                              int activeConnections,
                              Duration window,
                              int minRequests,
                              @Secret URI webhookUrl,   // its path may hold a token: --check-config prints ***
                              Duration webhookTimeout) {

    public static MonitorSettings from(ConfigReader c) {
        String url = c.string("monitoring.alerts.webhook-url").trim();
        URI webhook = null;
        if (!url.isEmpty()) {
            try {
                webhook = URI.create(url);
            } catch (IllegalArgumentException e) {
                webhook = null;
            }
            if (webhook == null || webhook.getHost() == null
                    || !("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme()))) {
                throw new ConfigReader.InvalidConfigException("monitoring.alerts.webhook-url", url,
                                                              "must be an http:// or https:// URL, or empty");
            }
        }
        return new MonitorSettings(c.duration("monitoring.interval"),
                                   c.string("monitoring.data-dir"),
                                   c.bool("monitoring.alerts.enabled"),
                                   percent(c, "monitoring.alerts.cpu-percent"),
                                   percent(c, "monitoring.alerts.memory-percent"),
                                   percent(c, "monitoring.alerts.error-rate-percent"),
                                   c.duration("monitoring.alerts.response-time"),
                                   c.intAtLeast("monitoring.alerts.active-connections", 0),
                                   c.duration("monitoring.alerts.window"),
                                   c.intAtLeast("monitoring.alerts.min-requests", 1),
                                   webhook,
                                   c.duration("monitoring.alerts.webhook-timeout"));
    }

    private static double percent(ConfigReader c, String key) {
        String v = c.string(key).trim();
        try {
            double p = Double.parseDouble(v);
            if (p >= 0 && p <= 100) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigReader.InvalidConfigException(key, v, "must be a percentage from 0 to 100");
    }
}
