package io.sluice.cache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * One cache's counters, for Prometheus ({@code sluice_cache_*{cache="scenes"}}: the label's values
 * are the few cache names fixed in code) and the {@code /metrics} JSON. A hit is an answer from L1;
 * a miss goes on to L2 ({@code l2_hits}) or to the loader ({@code loads}, PostgreSQL).
 */
final class CacheStats {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder l2Hits = new LongAdder();
    final LongAdder loads = new LongAdder();
    final LongAdder loadFailures = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder invalidations = new LongAdder();
    final LongAdder warmed = new LongAdder();
    final LongAdder redisErrors = new LongAdder();
    final AtomicLong entries = new AtomicLong();   // in L1
    final AtomicLong bytes = new AtomicLong();     // estimated, in L1

    void register(MeterRegistry registry, String cache) {
        List<Tag> tags = List.of(Tag.create("cache", cache));
        counter(registry, "sluice.cache.hits", "reads answered from the in-process L1", tags, s -> s.hits.sum());
        counter(registry, "sluice.cache.misses", "reads L1 could not answer (then L2 or the loader)", tags, s -> s.misses.sum());
        counter(registry, "sluice.cache.l2.hits", "L1 misses answered from Redis (L2)", tags, s -> s.l2Hits.sum());
        counter(registry, "sluice.cache.loads", "values loaded from the source (PostgreSQL)", tags, s -> s.loads.sum());
        counter(registry, "sluice.cache.evictions", "L1 entries dropped for size or age", tags, s -> s.evictions.sum());
        counter(registry, "sluice.cache.invalidations", "keys or prefixes invalidated (here or on another instance)",
                tags, s -> s.invalidations.sum());
        counter(registry, "sluice.cache.redis.errors", "L2 operations that failed (the read went on without L2)",
                tags, s -> s.redisErrors.sum());
        registry.getOrCreate(Gauge.builder("sluice.cache.size", () -> (double) entries.get())
                                     .description("entries in L1").tags(tags));
        registry.getOrCreate(Gauge.builder("sluice.cache.bytes", () -> (double) bytes.get())
                                     .description("estimated heap bytes of the L1 entries").tags(tags));
    }

    private void counter(MeterRegistry registry, String name, String description, List<Tag> tags,
                         Function<CacheStats, Long> value) {
        registry.getOrCreate(FunctionalCounter.builder(name, this, value).description(description).tags(tags));
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hits", hits.sum());
        m.put("misses", misses.sum());
        m.put("l2_hits", l2Hits.sum());
        m.put("loads", loads.sum());
        m.put("load_failures", loadFailures.sum());
        m.put("evictions", evictions.sum());
        m.put("invalidations", invalidations.sum());
        m.put("warmed", warmed.sum());
        m.put("redis_errors", redisErrors.sum());
        m.put("size", entries.get());
        m.put("bytes", bytes.get());
        return m;
    }
}
