package io.sluice.observe.monitor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Bucket;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Timer;

/**
 * Error rate and p95 latency over a sliding window, from the request timers the access-log filter
 * already keeps ({@code sluice.http.requests} by method, route and status): the cumulative counts
 * are read once per sample and differenced against the sample a window ago, as Prometheus'
 * {@code rate()} and {@code histogram_quantile()} do. Nothing is added to the request path.
 *
 * <p>Same selection as the Prometheus rules: probes and metrics ({@code /observe/...}) are left
 * out; the p95 also leaves out {@code /v1/chat/completions}, whose time is the whole LLM answer
 * (time to first token has its own rule on {@code sluice_llm_first_chunk_seconds}).
 */
final class RequestWindow {
    static final String TIMER = "sluice.http.requests";
    static final String LLM_ROUTE = "/v1/chat/completions";

    /** Cumulative counts at one moment; buckets: upper bound in seconds to cumulative count. */
    private record Totals(long at, long requests, long errors, long timed, TreeMap<Double, Long> buckets) {
    }

    private final MeterRegistry registry;
    private final long windowNanos;
    private final Deque<Totals> history = new ArrayDeque<>();
    private volatile long requests;
    private volatile double errorRate = Double.NaN;
    private volatile double p95Seconds = Double.NaN;

    RequestWindow(MeterRegistry registry, Duration window) {
        this.registry = registry;
        this.windowNanos = window.toNanos();
    }

    /** Reads the timers and recomputes the window's figures (monitor thread only). */
    void sample(long now) {
        Totals current = totals(now);
        history.addLast(current);
        // Keep the newest sample that is at least a window old as the base, drop older ones.
        while (history.size() > 2) {
            Iterator<Totals> it = history.iterator();
            it.next();
            if (now - it.next().at() < windowNanos) {
                break;
            }
            history.removeFirst();
        }
        Totals base = history.peekFirst();
        requests = current.requests() - base.requests();
        errorRate = requests > 0 ? (double) (current.errors() - base.errors()) / requests : Double.NaN;
        p95Seconds = quantile(0.95, base, current);
    }

    long requests() {
        return requests;
    }

    /** Share (0..1) of answers with status >= 500; NaN without requests. */
    double errorRate() {
        return errorRate;
    }

    /** p95 in seconds as a bucket's upper bound (as histogram_quantile without interpolation); NaN without requests. */
    double p95Seconds() {
        return p95Seconds;
    }

    private Totals totals(long now) {
        long all = 0;
        long errors = 0;
        long timed = 0;
        TreeMap<Double, Long> buckets = new TreeMap<>();
        for (var meter : registry.meters()) {
            if (!(meter instanceof Timer timer) || !meter.id().name().equals(TIMER)) {
                continue;
            }
            Map<String, String> tags = meter.id().tagsMap();
            String route = tags.getOrDefault("route", "");
            if (route.startsWith("/observe")) {
                continue;
            }
            long count = timer.count();
            all += count;
            if (tags.getOrDefault("status", "").startsWith("5")) {
                errors += count;
            }
            if (!route.equals(LLM_ROUTE)) {
                timed += count;
                for (Bucket b : timer.snapshot().histogramCounts()) {
                    buckets.merge(b.boundary(TimeUnit.SECONDS), b.count(), Long::sum);
                }
            }
        }
        return new Totals(now, all, errors, timed, buckets);
    }

    private static double quantile(double q, Totals base, Totals current) {
        long n = current.timed() - base.timed();
        if (n <= 0) {
            return Double.NaN;
        }
        double rank = q * n;
        for (Map.Entry<Double, Long> b : current.buckets().entrySet()) {
            if (Double.isInfinite(b.getKey())) {
                break;
            }
            long inWindow = b.getValue() - base.buckets().getOrDefault(b.getKey(), 0L);
            if (inWindow >= rank) {
                return b.getKey();
            }
        }
        // In the +Inf bucket: the largest finite bound, as histogram_quantile() answers.
        return current.buckets().isEmpty() ? Double.NaN : current.buckets().lastKey();
    }
}
