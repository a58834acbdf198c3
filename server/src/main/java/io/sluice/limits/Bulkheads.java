package io.sluice.limits;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

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

    public void registerMeters(MeterRegistry registry) {
        for (Bulkhead b : byService.values()) {
            b.slots().registerMeters(registry, "sluice.bulkhead", Tag.create("service", b.service()), "queued");
        }
    }
}
