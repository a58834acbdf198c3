package io.sluice.llm;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.sluice.http.ApiException;
import io.sluice.limits.Bulkhead;
import io.sluice.limits.BulkheadSettings;
import io.sluice.limits.Permit;

/**
 * One {@link Bulkhead} per configured provider: a provider that stalls fills its own slots and
 * queue, never those of the others, so models served elsewhere keep answering. Each takes
 * {@code bulkheads.llm} as its default and the provider's own {@code max-concurrent},
 * {@code max-queue} and {@code queue-timeout} where set. Metric tags name configured providers only.
 */
public final class ProviderBulkheads {
    private final Map<String, Bulkhead> byProvider = new LinkedHashMap<>();

    public ProviderBulkheads(Map<String, LlmProvider> providers, BulkheadSettings defaults, Duration retryAfter) {
        providers.forEach((name, p) -> {
            LlmProvider.Limits own = p.bulkhead();
            BulkheadSettings s = new BulkheadSettings(
                    "provider " + name,
                    own.maxConcurrent() != null ? own.maxConcurrent() : defaults.maxConcurrent(),
                    own.maxQueue() != null ? own.maxQueue() : defaults.maxQueue(),
                    own.queueTimeout() != null ? own.queueTimeout() : defaults.queueTimeout());
            byProvider.put(name, new Bulkhead(s, retryAfter));
        });
    }

    /** A slot of the provider's bulkhead, or the bulkhead's refusal (503) as an upstream failure the router may fall back from. */
    Permit acquire(String provider) throws UpstreamException {
        try {
            return byProvider.get(provider).acquire();
        } catch (ApiException refused) {
            throw UpstreamException.refused(refused);
        }
    }

    /** Calls in flight to a provider (tests, the status page). */
    public int inFlight(String provider) {
        return byProvider.get(provider).inFlight();
    }

    /**
     * Gauges {@code sluice.llm.bulkhead.in.flight}, {@code .queued}, {@code .max} and the counter
     * {@code .rejected}, tagged {@code provider}.
     */
    public void registerMeters(MeterRegistry registry) {
        byProvider.forEach((name, b) -> {
            List<Tag> tags = List.of(Tag.create("provider", name));
            gauge(registry, "sluice.llm.bulkhead.in.flight", "calls in flight to the provider", tags, b::inFlight);
            gauge(registry, "sluice.llm.bulkhead.queued", "calls waiting for a slot of the provider", tags, b::queued);
            gauge(registry, "sluice.llm.bulkhead.max", "the provider's configured limit", tags, b::maxConcurrent);
            gauge(registry, "sluice.llm.bulkhead.max.queue", "calls that may wait for the provider", tags, b::maxQueue);
            registry.getOrCreate(FunctionalCounter.builder("sluice.llm.bulkhead.rejected", b, Bulkhead::rejected)
                                         .description("calls refused by the provider's bulkhead: queue full or queue timeout")
                                         .tags(tags));
        });
    }

    private static void gauge(MeterRegistry registry, String name, String description, List<Tag> tags, IntSupplier value) {
        registry.getOrCreate(Gauge.builder(name, () -> (double) value.getAsInt()).description(description).tags(tags));
    }
}
