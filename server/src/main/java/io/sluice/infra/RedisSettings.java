package io.sluice.infra;

import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/** The {@code redis:} section. An empty URL means the embedded Redis (development). */
public record RedisSettings(@Secret(Secret.Kind.URL) String url,
                            int maxTotal,
                            int maxIdle,
                            int minIdle,
                            Duration maxWait,
                            Duration connectTimeout,
                            Duration socketTimeout,
                            int embeddedPort,
                            String embeddedDataDir) {

    public boolean embedded() {
        return url.isBlank();
    }

    public static RedisSettings from(ConfigReader c) {
        RedisSettings s = new RedisSettings(c.string("redis.url").trim(),
                                            c.intAtLeast("redis.max-total", 1),
                                            c.intAtLeast("redis.max-idle", 0),
                                            c.intAtLeast("redis.min-idle", 0),
                                            c.duration("redis.max-wait"),
                                            c.duration("redis.connect-timeout"),
                                            c.duration("redis.socket-timeout"),
                                            c.intAtLeast("redis.embedded.port", 0),
                                            c.string("redis.embedded.data-dir"));
        if (s.minIdle > s.maxTotal) {
            throw new InvalidConfigException("redis.min-idle", String.valueOf(s.minIdle),
                    "must not exceed redis.max-total (" + s.maxTotal + ")");
        }
        return s;
    }

    @Override
    public String toString() {   // never print URL credentials
        return "RedisSettings[" + io.sluice.config.Masking.url(url) + ", pool " + maxTotal + "]";
    }
}
