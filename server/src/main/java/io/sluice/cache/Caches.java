package io.sluice.cache;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import io.helidon.metrics.api.MeterRegistry;
import io.sluice.infra.Invalidations;
import io.sluice.infra.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The two-level caches of this instance: one L1 ({@link LocalTier}) and one L2 ({@link RedisTier})
 * shared by named {@link TwoLevelCache}s, kept honest across instances through the cache channel on
 * the instance's one invalidation subscription ({@link Invalidations}).
 *
 * <p><b>When L1 answers.</b> While the subscription is live every invalidation published more
 * than ~0.7 s ago has been applied here, so L1 answers. While it is not live but Redis itself
 * works (a dropped subscription), L1 steps aside and reads go to L2 — the one-second promise holds.
 * While Redis is known down, nobody can publish, and L1 answers what it holds (the degraded mode:
 * L1 plus the loader); every (re)subscription empties L1, since messages may have been missed.
 *
 * <p><b>Warm-up.</b> Every minute (and at shutdown) each cache's hottest L1 keys (Caffeine's
 * frequency sketch) are recorded in Redis; after each subscription the recorded ones are read from
 * L2 into L1, within {@code cache.warmup.timeout}, on a thread of their own.
 */
public final class Caches implements Invalidations.Listener, AutoCloseable {
    static final String KEY = "k";
    static final String PREFIX = "p";
    private static final Logger LOG = LoggerFactory.getLogger(Caches.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final CacheSettings settings;
    private final String channel;   // <redis-prefix>invalidate: instances that share a cache share its channel
    private final Redis redis;
    private final Invalidations bus;
    private final MeterRegistry registry;
    private final LocalTier local;
    private final RedisTier l2;
    private final Map<String, TwoLevelCache<?>> caches = new LinkedHashMap<>();
    private final PendingInvalidations pending = new PendingInvalidations();
    private final AtomicBoolean warming = new AtomicBoolean();
    private volatile Thread warmer;

    public Caches(CacheSettings settings, Redis redis, Invalidations bus, MeterRegistry registry) {
        this.settings = settings;
        this.channel = settings.redisPrefix() + "invalidate";
        this.redis = redis;
        this.bus = bus;
        this.registry = registry;
        this.local = new LocalTier(settings.l1MaxBytes());
        this.l2 = new RedisTier(redis, settings);
        if (settings.enabled()) {
            bus.listen(channel, this);
        }
    }

    /** A new named cache; {@code cacheable} says which found values may be kept (all: {@code v -> true}). */
    public synchronized <V> TwoLevelCache<V> create(String name, Class<V> type, Predicate<V> cacheable) {
        if (!NAME.matcher(name).matches() || caches.containsKey(name)) {
            throw new IllegalArgumentException("cache name '" + name + "' is taken or not [a-z][a-z0-9-]*");
        }
        TwoLevelCache<V> cache = new TwoLevelCache<>(name, type, cacheable, this, settings);
        caches.put(name, cache);
        local.register(name, cache.stats);
        cache.stats.register(registry, name);
        return cache;
    }

    public synchronized TwoLevelCache<?> named(String name) {
        return caches.get(name);
    }

    /** Per cache: its counters, for the /metrics JSON. */
    public synchronized Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", settings.enabled());
        m.put("l1_trusted", l1Trusted());
        m.put("pending_invalidations", pending.size());
        caches.forEach((name, c) -> m.put(name, c.stats.json()));
        return m;
    }

    boolean l1Trusted() {
        return bus.live() || redis.knownDown();
    }

    LocalTier local() {
        return local;
    }

    RedisTier redisTier() {
        return l2;
    }

    /** After a local drop: delete in L2 and tell the others; remembered for later while Redis is down. */
    void invalidated(TwoLevelCache<?> cache, String kind, String arg) {
        try {
            if (!l2.usable()) {
                throw new JedisException("redis is known to be down");
            }
            apply(cache.name(), kind, arg);
        } catch (JedisException e) {
            pending.add(kind, cache.name(), arg);
            LOG.warn("cache {}: invalidation of '{}' could not reach Redis ({}); replayed when it is back",
                     cache.name(), arg, e.getClass().getSimpleName());
        }
    }

    private void apply(String cache, String kind, String arg) {
        if (KEY.equals(kind)) {
            l2.invalidate(cache, arg);
        } else {
            l2.invalidatePrefix(cache, arg);
        }
        bus.publish(channel, kind + " " + cache + " " + arg);
    }

    @Override
    public void onMessage(String message) {
        String[] parts = message.split(" ", 3);
        TwoLevelCache<?> cache = parts.length == 3 ? named(parts[1]) : null;
        if (cache == null) {
            return;   // a cache this instance does not have (another version): nothing to drop
        }
        if (KEY.equals(parts[0])) {
            cache.dropLocal(parts[2]);
        } else if (PREFIX.equals(parts[0])) {
            cache.dropLocalPrefix(parts[2]);
        }
    }

    /** After every (re)subscription: L1 may have missed messages; replay what could not be sent; warm up. */
    @Override
    public void resync() {
        for (TwoLevelCache<?> c : snapshot()) {
            c.dropLocalPrefix("");
        }
        if (!pending.isEmpty()) {
            boolean[] overflowed = new boolean[1];
            List<PendingInvalidations.Pending> replay = pending.drain(overflowed);
            try {
                if (overflowed[0]) {
                    for (TwoLevelCache<?> c : snapshot()) {
                        apply(c.name(), PREFIX, "");
                    }
                }
                for (PendingInvalidations.Pending p : replay) {
                    apply(p.cache(), p.kind(), p.arg());
                }
                LOG.info("caches: {} invalidation(s) made while Redis was down replayed", replay.size() + (overflowed[0] ? 1 : 0));
            } catch (RuntimeException e) {
                replay.forEach(p -> pending.add(p.kind(), p.cache(), p.arg()));   // idempotent: all again next time
                if (overflowed[0]) {
                    snapshot().forEach(c -> pending.add(PREFIX, c.name(), ""));
                }
                throw e;
            }
        }
        if (settings.warmupKeys() > 0 && warming.compareAndSet(false, true)) {
            warmer = Thread.ofVirtual().name("cache-warmup").start(() -> {
                try {
                    new WarmUp(l2, settings).run(snapshot());
                } finally {
                    warming.set(false);
                }
            });
        }
    }

    /** Every minute while subscribed: the hottest keys recorded for the next start's warm-up. */
    @Override
    public void refresh() {
        recordHot();
    }

    private void recordHot() {
        if (!settings.enabled() || settings.warmupKeys() == 0 || !l2.usable()) {
            return;
        }
        local.hottest(settings.warmupKeys()).forEach((cache, keys) -> l2.recordHot(cache, keys, settings.warmupKeys()));
    }

    private synchronized List<TwoLevelCache<?>> snapshot() {
        return List.copyOf(caches.values());
    }

    @Override
    public void close() {
        Thread w = warmer;
        if (w != null) {
            w.interrupt();
        }
        try {
            recordHot();   // the next start warms up with what this instance served most
        } catch (RuntimeException e) {
            LOG.debug("caches: hot keys not recorded at shutdown ({})", e.getClass().getSimpleName());
        }
    }
}
