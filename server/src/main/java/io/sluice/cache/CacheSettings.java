package io.sluice.cache;

import java.time.Duration;

import io.sluice.config.ConfigReader;

/**
 * The {@code cache:} config section: the two-level cache of scenes, sessions and finished tasks.
 * L1 is one in-process Caffeine for all caches, bounded by the estimated bytes of its entries; L2 is
 * Redis, bounded per cache by an entry count (see {@link RedisTier}).
 */
public record CacheSettings(boolean enabled,
                            long l1MaxBytes,
                            Duration l1Ttl,
                            Duration l2Ttl,
                            int l2MaxEntries,
                            Duration negativeTtl,
                            int warmupKeys,
                            Duration warmupTimeout,
                            Duration loadWait,
                            String redisPrefix) {

    public static CacheSettings from(ConfigReader c) {
        CacheSettings s = new CacheSettings(c.bool("cache.enabled"),
                                            c.size("cache.l1.max-size"),
                                            c.duration("cache.l1.ttl"),
                                            c.duration("cache.l2.ttl"),
                                            c.intAtLeast("cache.l2.max-entries", 1),
                                            c.duration("cache.negative-ttl"),
                                            c.intAtLeast("cache.warmup.keys", 0),
                                            c.duration("cache.warmup.timeout"),
                                            c.duration("cache.load-wait"),
                                            c.string("cache.redis-prefix"));
        if (s.l1MaxBytes < 1 << 20) {
            throw new ConfigReader.InvalidConfigException("cache.l1.max-size", String.valueOf(s.l1MaxBytes), "must be at least 1MB");
        }
        if (s.negativeTtl.compareTo(s.l1Ttl) > 0 || s.negativeTtl.compareTo(s.l2Ttl) > 0) {
            throw new ConfigReader.InvalidConfigException("cache.negative-ttl", s.negativeTtl.toString(),
                                                          "must not be longer than cache.l1.ttl and cache.l2.ttl (it is the short one)");
        }
        if (s.warmupTimeout.toMillis() > 30_000) {
            throw new ConfigReader.InvalidConfigException("cache.warmup.timeout", s.warmupTimeout.toString(), "must be at most 30s");
        }
        if (s.loadWait.toMillis() > 60_000) {
            throw new ConfigReader.InvalidConfigException("cache.load-wait", s.loadWait.toString(), "must be at most 60s");
        }
        if (s.redisPrefix.isBlank()) {
            throw new ConfigReader.InvalidConfigException("cache.redis-prefix", s.redisPrefix, "must not be empty");
        }
        return s;
    }
}
