package io.sluice.limits;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/** A per-service limit around upstream calls (the {@code bulkheads:} section): in flight, waiting, and how long a caller waits. */
public record BulkheadSettings(String service, int maxConcurrent, int maxQueue, Duration queueTimeout) {

    /** Every configured bulkhead by service name, in file order; the {@code llm} one is required. */
    public static Map<String, BulkheadSettings> all(ConfigReader c) {
        Map<String, BulkheadSettings> result = new LinkedHashMap<>();
        for (String service : c.names("bulkheads")) {
            String key = "bulkheads." + service;
            result.put(service, new BulkheadSettings(service,
                                                     c.intAtLeast(key + ".max-concurrent", 1),
                                                     c.intAtLeast(key + ".max-queue", 0),
                                                     c.duration(key + ".queue-timeout")));
        }
        if (!result.containsKey("llm")) {
            throw new InvalidConfigException("bulkheads.llm", "", "missing: every LLM call passes the llm bulkhead");
        }
        return Collections.unmodifiableMap(result);
    }
}
