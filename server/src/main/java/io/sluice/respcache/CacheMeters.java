package io.sluice.respcache;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * {@code sluice.cache.responses{model, result}}: hits, semantic hits, misses and bypasses of the
 * cached models only (the labels are configured names and four results, built once at start), and
 * {@code sluice.cache.semantic.lookup}: the in-memory search of a bucket, Redis catch-up included.
 */
final class CacheMeters {
    enum Result {
        HIT, SEMANTIC_HIT, MISS, BYPASS;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<String, Map<Result, Counter>> counters = new HashMap<>();
    private final Timer lookup;

    CacheMeters(MeterRegistry registry, Iterable<String> models) {
        for (String model : models) {
            Map<Result, Counter> byResult = new EnumMap<>(Result.class);
            for (Result r : Result.values()) {
                byResult.put(r, registry.getOrCreate(Counter.builder("sluice.cache.responses")
                        .description("chat answers of cached models by cache result")
                        .tags(List.of(Tag.create("model", model), Tag.create("result", r.label())))));
            }
            counters.put(model, byResult);
        }
        lookup = registry.getOrCreate(Timer.builder("sluice.cache.semantic.lookup")
                .description("semantic look-up: catching up with the bucket in Redis and the brute-force search"));
    }

    void count(String model, Result result) {
        counters.get(model).get(result).increment();
    }

    void lookup(long nanos) {
        lookup.record(nanos, TimeUnit.NANOSECONDS);
    }
}
