package io.sluice.llm.usage;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
                            Duration drainTimeout,
                            String currency,
                            Map<String, Price> prices) {

    /** A model's price per million tokens ({@code usage.prices.<id>}); {@code model} defaults to the entry's id. */
    public record Price(String model, double input, double cachedInput, double output) {
    }

    public static UsageSettings from(ConfigReader c) {
        UsageSettings s = new UsageSettings(c.intAtLeast("usage.queue-capacity", 1),
                                            c.intAtLeast("usage.batch-size", 1),
                                            c.duration("usage.flush-interval"),
                                            c.duration("usage.max-retry-backoff"),
                                            c.duration("usage.drain-timeout"),
                                            currency(c),
                                            prices(c));
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

    private static String currency(ConfigReader c) {
        String v = c.string("usage.currency").trim();
        if (!v.matches("[A-Z]{3}")) {
            throw new ConfigReader.InvalidConfigException("usage.currency", v, "must be a three-letter ISO 4217 code such as USD");
        }
        return v;
    }

    /** {@code usage.prices.<id>: {model, input, cached-input, output}}, keyed by the model they price. */
    private static Map<String, Price> prices(ConfigReader c) {
        Map<String, Price> prices = new LinkedHashMap<>();
        for (String id : c.names("usage.prices")) {
            String k = "usage.prices." + id + ".";
            String model = c.stringOr(k + "model", id).trim();
            if (model.isEmpty()) {
                throw new ConfigReader.InvalidConfigException(k + "model", model, "must not be empty");
            }
            double input = amount(c, k + "input", null);
            Price p = new Price(model, input, amount(c, k + "cached-input", input), amount(c, k + "output", null));
            if (prices.putIfAbsent(model, p) != null) {
                throw new ConfigReader.InvalidConfigException(k + "model", model, "another price already names this model");
            }
        }
        return Collections.unmodifiableMap(prices);
    }

    /** A non-negative price per million tokens; {@code def} when absent (null: required). */
    private static double amount(ConfigReader c, String key, Double def) {
        String v = def == null ? c.string(key) : c.stringOr(key, null);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // the same message below
        }
        throw new ConfigReader.InvalidConfigException(key, v, "must be a non-negative number (price per million tokens)");
    }
}
