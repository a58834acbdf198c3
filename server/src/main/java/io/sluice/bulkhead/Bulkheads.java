package io.sluice.bulkhead;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Tag;
import io.sluice.limits.BulkheadSettings;
import io.sluice.observe.ServerMeters;

/** One {@link Bulkhead} per configured service (llm, tts, asr, ...), with its gauges. */
public final class Bulkheads {
    private final Map<String, Bulkhead> byService = new LinkedHashMap<>();

    public Bulkheads(Map<String, BulkheadSettings> settings, Duration retryAfter) {
        settings.forEach((service, s) -> byService.put(service, new Bulkhead(s, retryAfter)));
    }

    /** The bulkhead of a configured service; asking for an unknown one is a programming error. */
    public Bulkhead get(String service) {
        Bulkhead b = byService.get(service);
        if (b == null) {
            throw new IllegalArgumentException("no bulkhead configured for service " + service);
        }
        return b;
    }

    public void registerMeters(ServerMeters meters) {
        for (Bulkhead b : byService.values()) {
            List<Tag> tags = List.of(Tag.create("service", b.service()));
            meters.gauge("sluice.bulkhead.in.flight", "upstream calls in flight", tags, b::inFlight);
            meters.gauge("sluice.bulkhead.queued", "calls waiting for a slot", tags, b::queued);
            meters.gauge("sluice.bulkhead.max", "configured concurrent calls", tags, b::maxConcurrent);
            meters.registry().getOrCreate(FunctionalCounter.builder("sluice.bulkhead.rejected", b, Bulkhead::rejected)
                                                  .description("calls refused: queue full or queue timeout")
                                                  .tags(tags));
        }
    }
}
