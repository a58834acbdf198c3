package io.sluice.ratelimit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leased tokens an instance did not spend, on their way back to Redis: a bounded queue filled
 * without I/O (from Caffeine's removal listener and the request path) and emptied in batches, one
 * script call per batch, by the owner's background loop and at close. A full queue or a failed
 * trip drops them: the shared budget is then short by that much until the bucket refills.
 */
final class LeaseReturns {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseReturns.class);
    private static final int CAPACITY = 10_000;
    private static final int BATCH = 100;

    private record Returned(String key, Limit limit, int tokens) {
    }

    private final RedisTokenBucket redis;
    private final ArrayBlockingQueue<Returned> queue = new ArrayBlockingQueue<>(CAPACITY);

    LeaseReturns(RedisTokenBucket redis) {
        this.redis = redis;
    }

    void give(String key, Limit limit, int tokens) {
        if (tokens > 0 && !queue.offer(new Returned(key, limit, tokens))) {
            LOG.debug("rate limiter: return queue full; {} leased tokens of {} expire unused", tokens, key);
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** One trip per batch of returned leftovers. */
    void flush() {
        List<Returned> batch = new ArrayList<>(BATCH);
        while (queue.drainTo(batch, BATCH) > 0) {
            List<String> keys = new ArrayList<>(batch.size());
            List<Limit> limits = new ArrayList<>(batch.size());
            int[] back = new int[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                keys.add(batch.get(i).key());
                limits.add(batch.get(i).limit());
                back[i] = batch.get(i).tokens();
            }
            try {
                redis.lease(keys, limits, new int[batch.size()], back, false);
            } catch (RuntimeException e) {
                LOG.debug("rate limiter: could not return {} leases ({})", batch.size(), e.getClass().getSimpleName());
            }
            batch.clear();
        }
    }
}
