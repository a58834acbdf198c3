package io.sluice.fileproxy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One origin's counters for {@code /stats} and Prometheus: requests, errors (origin 5xx, 429, 408, unreachable,
 * timed out), bytes relayed, and the last {@value #SAMPLES} response times for the average and p95.
 * Counting is a LongAdder increment and one slot of a ring under a short lock; the percentiles are
 * computed only when someone asks.
 */
final class OriginStats {
    static final int SAMPLES = 1024;

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final long[] times = new long[SAMPLES];
    private int next;
    private int filled;
    private final long started = System.nanoTime();

    void request() {
        requests.increment();
    }

    void error() {
        errors.increment();
    }

    void bytes(long n) {
        bytes.add(n);
    }

    synchronized void responseTime(long millis) {
        times[next] = millis;
        next = (next + 1) % SAMPLES;
        filled = Math.min(SAMPLES, filled + 1);
    }

    long requests() {
        return requests.sum();
    }

    long errors() {
        return errors.sum();
    }

    long bytes() {
        return bytes.sum();
    }

    /** The JSON view: the percentiles over the last samples, throughput as the average since start. */
    Map<String, Object> json() {
        long[] copy;
        synchronized (this) {
            copy = Arrays.copyOf(times, filled);
        }
        Arrays.sort(copy);
        long total = requests.sum();
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_requests", total);
        m.put("errors", errors.sum());
        m.put("error_rate", total == 0 ? 0.0 : round(errors.sum() / (double) total));
        m.put("avg_response_ms", copy.length == 0 ? 0.0 : round(Arrays.stream(copy).average().orElse(0)));
        m.put("p95_response_ms", copy.length == 0 ? 0 : copy[Math.min(copy.length - 1, (int) Math.ceil(copy.length * 0.95) - 1)]);
        m.put("bytes", bytes.sum());
        m.put("throughput_mbit_s", round(bytes.sum() * 8 / 1e6 / seconds));
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
