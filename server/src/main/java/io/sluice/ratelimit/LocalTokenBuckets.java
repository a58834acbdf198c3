package io.sluice.ratelimit;

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

    Decision take(String key, Limit limit) {
        long now = System.currentTimeMillis();
        if (buckets.size() > MAX_BUCKETS) {
            buckets.clear();   // crude but bounded: a flood of distinct keys must not exhaust the heap
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(limit.capacity(), now)).take(limit, now);
    }
}
