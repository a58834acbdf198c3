package io.sluice.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Tag;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.observe.ServerMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AdaptiveRate} per upstream provider, with a gauge {@code sluice_upstream_rate{provider}}.
 * A call over the rate waits up to {@code max-wait}, or is refused at once with 503 + Retry-After.
 */
public final class UpstreamLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamLimiter.class);

    private final RateLimitSettings.Upstream settings;
    private final ServerMeters meters;
    private final ConcurrentHashMap<String, AdaptiveRate> rates = new ConcurrentHashMap<>();

    public UpstreamLimiter(RateLimitSettings.Upstream settings, ServerMeters meters) {
        this.settings = settings;
        this.meters = meters;
    }

    /** A limiter that never limits (tests and tools that build a router without one). */
    public static UpstreamLimiter disabled(ServerMeters meters) {
        return new UpstreamLimiter(null, meters);
    }

    /** Creates the rates (and their gauges) up front, so the metrics show every provider from the start. */
    public void track(java.util.Collection<String> providers) {
        if (settings != null && settings.enabled()) {
            providers.forEach(this::rateOf);
        }
    }

    public double rate(String provider) {
        return settings == null || !settings.enabled() ? Double.NaN : rateOf(provider).rate();
    }

    /** Waits (bounded) for a call slot on this provider, or throws 503. */
    public void acquire(String provider) {
        if (settings == null || !settings.enabled()) {
            return;
        }
        long wait = rateOf(provider).reserve();
        if (wait < 0) {
            throw ApiException.unavailable(ErrorCode.UPSTREAM_RATE_LIMITED, "provider " + provider
                    + " is being called at its adaptive rate limit; retry later", Duration.ofSeconds(1));
        }
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable(ErrorCode.INTERRUPTED, "request interrupted", Duration.ofSeconds(1));
            }
        }
    }

    public void record(String provider, boolean failed) {
        if (settings == null || !settings.enabled()) {
            return;
        }
        AdaptiveRate r = rateOf(provider);
        double before = r.rate();
        r.record(failed);
        double after = r.rate();
        if (after < before) {
            LOG.warn("provider {}: error rate above {}%, upstream rate lowered {} -> {} req/s", provider,
                     Math.round(settings.errorThreshold() * 100), Math.round(before), Math.round(after));
        } else if (after > before) {
            LOG.info("provider {}: upstream rate raised {} -> {} req/s", provider, Math.round(before), Math.round(after));
        }
    }

    private AdaptiveRate rateOf(String provider) {
        return rates.computeIfAbsent(provider, p -> {
            AdaptiveRate r = new AdaptiveRate(settings, System::nanoTime);
            meters.gauge("sluice.upstream.rate", "adaptive request rate limit per upstream provider (requests/s)",
                         List.of(Tag.create("provider", p)), r::rate);
            return r;
        });
    }
}
