package io.sluice.spend;

import java.net.URI;
import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.Secret;

/**
 * The {@code spend:} section: budgets' counters in Redis and how they are kept honest.
 *
 * @param viewTtl           how old this instance's view of a budgeted spend may get before a check asks Redis again
 * @param reconcileInterval how often counters are raised to what PostgreSQL's usage rows add up to (also at start)
 * @param webhookUrl        POSTed a JSON event when a budget's soft limit is crossed; null: none
 * @param maxKeyLabels      distinct API keys labelled in the spend metrics; the rest count as "other"
 */
public record SpendSettings(String redisPrefix, Duration viewTtl, Duration reconcileInterval,
                            @Secret URI webhookUrl,   // its path may hold a token: --check-config prints ***
                            Duration webhookTimeout, int maxKeyLabels) {

    public static SpendSettings from(ConfigReader c) {
        String url = c.string("spend.webhook-url").trim();
        URI webhook = null;
        if (!url.isEmpty()) {
            try {
                webhook = URI.create(url);
            } catch (IllegalArgumentException e) {
                webhook = null;
            }
            if (webhook == null || !("http".equals(webhook.getScheme()) || "https".equals(webhook.getScheme())) || webhook.getHost() == null) {
                throw new ConfigReader.InvalidConfigException("spend.webhook-url", "(hidden)", "must be an http(s) URL or empty");
            }
        }
        String prefix = c.string("spend.redis-prefix");
        if (prefix.isBlank()) {
            throw new ConfigReader.InvalidConfigException("spend.redis-prefix", prefix, "must not be empty");
        }
        return new SpendSettings(prefix, c.duration("spend.view-ttl"), c.duration("spend.reconcile-interval"), webhook,
                                 c.duration("spend.webhook-timeout"), c.intAtLeast("spend.max-key-labels", 1));
    }
}
