package io.sluice.infra;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * The {@code redis:} section. An empty URL and no sentinels means the embedded Redis (development).
 * With {@code sentinels} (host:port, comma-separated) and {@code master-name} set, the primary is
 * asked of the Sentinels and followed through failovers; the URL then only carries credentials/db.
 */
public record RedisSettings(@Secret(Secret.Kind.URL) String url,
                            List<String> sentinels,
                            String masterName,
                            int maxTotal,
                            int maxIdle,
                            int minIdle,
                            Duration maxWait,
                            Duration connectTimeout,
                            Duration socketTimeout,
                            int embeddedPort,
                            String embeddedDataDir) {

    public boolean embedded() {
        return url.isBlank() && sentinels.isEmpty();
    }

    public boolean sentinel() {
        return !sentinels.isEmpty();
    }

    public static RedisSettings from(ConfigReader c) {
        List<String> sentinels = Arrays.stream(c.stringOr("redis.sentinels", "").split(","))
                .map(String::trim).filter(x -> !x.isEmpty()).toList();
        for (String hostPort : sentinels) {
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || !hostPort.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new InvalidConfigException("redis.sentinels", hostPort, "each sentinel must be host:port");
            }
        }
        String masterName = c.stringOr("redis.master-name", "").trim();
        if (!sentinels.isEmpty() && masterName.isEmpty()) {
            throw new InvalidConfigException("redis.master-name", "", "must be set when redis.sentinels is");
        }
        RedisSettings s = new RedisSettings(c.string("redis.url").trim(), sentinels, masterName,
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
        String where = sentinels.isEmpty() ? io.sluice.config.Masking.url(url)
                : "sentinels " + sentinels + " master " + masterName;
        return "RedisSettings[" + where + ", pool " + maxTotal + "]";
    }
}
