package io.sluice.llm.usage;

import java.time.Duration;

import io.sluice.config.ConfigReader;

/**
 * The {@code usage:} config section: how usage rows are buffered and written off the request path.
 * The queue bounds memory (rows beyond it are dropped and counted); the flush interval bounds how
 * late a row reaches PostgreSQL; the drain timeout bounds how long a stop waits for the last rows.
 */
public record UsageSettings(int queueCapacity,
                            int batchSize,
                            Duration flushInterval,
                            Duration maxRetryBackoff,
                            Duration drainTimeout) {

    public static UsageSettings from(ConfigReader c) {
        UsageSettings s = new UsageSettings(c.intAtLeast("usage.queue-capacity", 1),
                                            c.intAtLeast("usage.batch-size", 1),
                                            c.duration("usage.flush-interval"),
                                            c.duration("usage.max-retry-backoff"),
                                            c.duration("usage.drain-timeout"));
        if (s.flushInterval.toMillis() > 200) {
            throw new ConfigReader.InvalidConfigException("usage.flush-interval", s.flushInterval.toString(),
                                                          "must be at most 200ms (rows must reach PostgreSQL promptly)");
        }
        if (s.batchSize > 5000) {
            // 9 parameters are arrays, so the statement size does not grow, but one huge transaction would.
            throw new ConfigReader.InvalidConfigException("usage.batch-size", String.valueOf(s.batchSize), "must be at most 5000");
        }
        return s;
    }
}
