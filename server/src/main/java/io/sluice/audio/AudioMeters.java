package io.sluice.audio;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Upstream audio calls by kind (speech, transcription), provider and outcome ({@code ok} or an
 * error code), and their duration. Labels come from closed sets (configured providers, the error
 * catalogue), each meter built once and kept.
 */
final class AudioMeters {
    private final MeterRegistry registry;
    private final Map<String, Counter> calls = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();

    AudioMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void call(String kind, String provider, String outcome, long nanos) {
        calls.computeIfAbsent(kind + '/' + provider + '/' + outcome, k -> registry.getOrCreate(
                Counter.builder("sluice.audio.upstream.calls")
                        .description("upstream audio calls by kind, provider and outcome")
                        .tags(List.of(Tag.create("kind", kind), Tag.create("provider", provider), Tag.create("outcome", outcome)))))
                .increment();
        durations.computeIfAbsent(kind + '/' + provider, k -> registry.getOrCreate(
                Timer.builder("sluice.audio.call.duration")
                        .description("one upstream audio call, start to last byte")
                        .tags(List.of(Tag.create("kind", kind), Tag.create("provider", provider)))))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
