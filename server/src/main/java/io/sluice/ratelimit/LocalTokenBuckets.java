package io.sluice.ratelimit;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Per-instance token buckets: the fallback while Redis is unreachable. Bounded in number. */
final class LocalTokenBuckets {
    private static final int MAX_BUCKETS = 100_000;

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        private double tokens;
        private long lastMs;

        Bucket(int capacity, long now) {
            this.tokens = capacity;
            this.lastMs = now;
        }

        synchronized Decision take(Limit limit, long now) {
            double rate = limit.refillPerMs();
            tokens = Math.min(limit.capacity(), tokens + Math.max(0, now - lastMs) * rate);
            lastMs = now;
            boolean allowed = tokens >= 1;
            if (allowed) {
                tokens -= 1;
            }
            long wait = allowed ? 0 : (long) Math.ceil((1 - tokens) / rate);
            long full = (long) Math.ceil((limit.capacity() - tokens) / rate);
            return new Decision(allowed, limit.capacity(), (int) Math.floor(tokens), wait, full);
        }
    }

    /** Like {@link RedisTokenBucket#take}: in order, stopping at the first bucket that refuses. */
    Verdict take(List<String> keys, List<Limit> limits) {
        long now = System.currentTimeMillis();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.clear();   // crude but bounded: a flood of distinct keys must not exhaust the heap
        }
        Verdict v = null;
        for (int i = 0; i < keys.size(); i++) {
            Limit limit = limits.get(i);
            v = new Verdict(i, buckets.computeIfAbsent(keys.get(i), k -> new Bucket(limit.capacity(), now)).take(limit, now));
            if (!v.decision().allowed()) {
                break;
            }
        }
        return v;
    }
}
