package io.sluice.loadtest.bench;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/** Latencies and outcomes of one measurement. */
final class Latencies {
    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
    final LongAdder ok = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder errors = new LongAdder();

    void record(long n) {
        nanos.add(n);
    }

    double percentileMs(double p) {
        long[] all = nanos.stream().mapToLong(Long::longValue).toArray();
        if (all.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(all);
        int i = (int) Math.min(all.length - 1, Math.max(0, Math.ceil(p / 100.0 * all.length) - 1));
        return all[i] / 1e6;
    }

    long count() {
        return nanos.size();
    }
}
