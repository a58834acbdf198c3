package io.sluice.llm;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/** Upstream calls by provider and outcome, and the time from calling a provider to its first chunk. */
public final class LlmMeters {
    private static final Duration[] BUCKETS = {
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;

    public LlmMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void firstChunk(String provider, long nanos) {
        registry.getOrCreate(Timer.builder("sluice.llm.first.chunk")
                                     .description("time from calling a provider to its first chunk (whole answer if not streamed)")
                                     .buckets(BUCKETS)
                                     .tags(List.of(Tag.create("provider", provider))))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void call(String provider, String outcome) {
        registry.getOrCreate(Counter.builder("sluice.llm.upstream.calls")
                                     .description("upstream calls by provider and outcome")
                                     .tags(List.of(Tag.create("provider", provider), Tag.create("outcome", outcome))))
                .increment();
    }
}
