package io.sluice.cache;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads each cache's recorded hot keys from L2 into L1 (never from PostgreSQL: a start must not
 * hammer the database), two Redis round trips per cache, stopping at {@code cache.warmup.timeout}.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    private final RedisTier l2;
    private final CacheSettings settings;

    WarmUp(RedisTier l2, CacheSettings settings) {
        this.l2 = l2;
        this.settings = settings;
    }

    void run(List<TwoLevelCache<?>> caches) {
        long deadline = System.nanoTime() + settings.warmupTimeout().toNanos();
        int warmed = 0;
        try {
            for (TwoLevelCache<?> cache : caches) {
                long epoch = cache.epoch();
                for (String[] kv : l2.hot(cache.name(), settings.warmupKeys())) {
                    if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                        LOG.info("caches: warm-up stopped at cache.warmup.timeout after {} entries", warmed);
                        return;
                    }
                    if (kv[1] != null && cache.warm(kv[0], kv[1], epoch)) {
                        warmed++;
                    }
                }
            }
            if (warmed > 0) {
                LOG.info("caches: {} hot entries loaded from Redis into memory", warmed);
            }
        } catch (RuntimeException e) {
            LOG.info("caches: warm-up skipped ({})", e.getClass().getSimpleName());
        }
    }
}
