package io.sluice.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Upstream calls by provider and outcome, and the time from calling a provider to its first chunk.
 * Each meter is built once and kept: building a meter with tags and looking it up in the registry
 * per call was a visible share of a request. Both labels come from closed sets (configured
 * providers, the error-code catalogue and a few outcomes), so the maps stay small.
 */
public final class LlmMeters {
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final Map<String, Timer> firstChunk = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> calls = new ConcurrentHashMap<>();

    public LlmMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void firstChunk(String provider, long nanos) {
        Timer timer = firstChunk.get(provider);
        if (timer == null) {
            timer = firstChunk.computeIfAbsent(provider, p -> registry.getOrCreate(
                    Timer.builder("sluice.llm.first.chunk")
                            .description("time from calling a provider to its first chunk (whole answer if not streamed)")
                            .buckets(BUCKETS)
                            .tags(List.of(Tag.create("provider", p)))));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    void call(String provider, String outcome) {
        Map<String, Counter> byOutcome = calls.get(provider);
        if (byOutcome == null) {
            byOutcome = calls.computeIfAbsent(provider, p -> new ConcurrentHashMap<>());
        }
        Counter counter = byOutcome.get(outcome);
        if (counter == null) {
            counter = byOutcome.computeIfAbsent(outcome, o -> registry.getOrCreate(
                    Counter.builder("sluice.llm.upstream.calls")
                            .description("upstream calls by provider and outcome")
                            .tags(List.of(Tag.create("provider", provider), Tag.create("outcome", o)))));
        }
        counter.increment();
    }
}
