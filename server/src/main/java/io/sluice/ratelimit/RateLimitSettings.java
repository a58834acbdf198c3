package io.sluice.ratelimit;

import java.time.Duration;
import java.util.Set;

import io.sluice.config.ConfigReader;

/** The {@code ratelimit:} section of config.yaml (per-client buckets and the adaptive upstream limiter). */
public record RateLimitSettings(boolean enabled,
                                Limit perClient,
                                Limit perIp,
                                RedisDown redisDown,
                                Duration redisRetry,
                                String redisPrefix,
                                int leasePercent,
                                Duration leaseTtl,
                                Upstream upstream) {

    /** What the limiter does while Redis is unreachable. */
    public enum RedisDown {
        /** per-instance buckets (each instance allows the full budget) */
        LOCAL,
        /** no limits at all */
        OPEN,
        /** every limited request is refused (503) */
        CLOSED
    }

    /** AIMD per upstream provider. */
    public record Upstream(boolean enabled, double initialRate, double minRate, double maxRate,
                           double decreaseFactor, double increaseFactor, double errorThreshold,
                           double recoverThreshold, Duration interval, int minSamples, Duration maxWait) {
    }

    /** At most 5: the leases of a few busy instances must keep the shared budget within 5% (see Leases). */
    private static int leasePercent(ConfigReader c) {
        int p = c.intAtLeast("ratelimit.lease-percent", 0);
        if (p > 5) {
            throw new ConfigReader.InvalidConfigException("ratelimit.lease-percent", String.valueOf(p), "must be 0 to 5");
        }
        return p;
    }

    public static RateLimitSettings from(ConfigReader c) {
        Duration window = c.duration("ratelimit.window");
        Upstream up = new Upstream(c.bool("ratelimit.upstream.enabled"),
                                   c.intAtLeast("ratelimit.upstream.initial-rate", 1),
                                   c.intAtLeast("ratelimit.upstream.min-rate", 1),
                                   c.intAtLeast("ratelimit.upstream.max-rate", 1),
                                   1 - c.intAtLeast("ratelimit.upstream.decrease-percent", 1) / 100.0,
                                   1 + c.intAtLeast("ratelimit.upstream.increase-percent", 1) / 100.0,
                                   c.intAtLeast("ratelimit.upstream.error-percent", 1) / 100.0,
                                   c.intAtLeast("ratelimit.upstream.recover-percent", 0) / 100.0,
                                   c.duration("ratelimit.upstream.interval"),
                                   c.intAtLeast("ratelimit.upstream.min-samples", 1),
                                   c.duration("ratelimit.upstream.max-wait"));
        if (up.minRate() > up.maxRate() || up.initialRate() < up.minRate() || up.initialRate() > up.maxRate()) {
            throw new ConfigReader.InvalidConfigException("ratelimit.upstream.initial-rate", String.valueOf((int) up.initialRate()),
                    "must lie between ratelimit.upstream.min-rate and max-rate");
        }
        if (up.decreaseFactor() <= 0) {
            throw new ConfigReader.InvalidConfigException("ratelimit.upstream.decrease-percent",
                    String.valueOf(Math.round((1 - up.decreaseFactor()) * 100)), "must be below 100");
        }
        return new RateLimitSettings(c.bool("ratelimit.enabled"),
                                     new Limit(c.intAtLeast("ratelimit.per-client", 1), window),
                                     new Limit(c.intAtLeast("ratelimit.per-ip", 1), window),
                                     RedisDown.valueOf(c.oneOf("ratelimit.redis-down", Set.of("local", "open", "closed"))
                                                               .toUpperCase(java.util.Locale.ROOT)),
                                     c.duration("ratelimit.redis-retry"),
                                     c.string("ratelimit.redis-prefix"),
                                     leasePercent(c),
                                     c.duration("ratelimit.lease-ttl"),
                                     up);
    }
}
