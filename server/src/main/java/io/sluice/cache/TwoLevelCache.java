package io.sluice.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One named read-through cache: L1 (this instance's memory), then L2 (Redis), then the loader
 * (PostgreSQL), with one load per key at a time ({@link Flights}). "Not found" is cached too, for
 * {@code cache.negative-ttl}, so lookups of absent ids do not all reach the database. Values
 * travel through L2 as JSON (Jackson); a value the {@code cacheable} test refuses (a task still
 * running) is returned but not kept.
 *
 * <p>Read-after-write: every write path calls {@link #invalidate} or {@link #invalidatePrefix}
 * after its database write. That drops the key here at once, bumps its L2 generation and deletes it
 * (so no load in flight anywhere can put the old value back), and tells the other instances, which
 * drop it from L1 within a second. A load that started before an invalidation on this instance
 * does not keep its result in L1: each invalidation bumps {@link #epoch}, and a put that sees the
 * epoch moved removes what it stored.
 *
 * <p>Redis down: L2 is skipped at once (no wait), L1 keeps answering and the loader answers the
 * rest, so a read never fails because of the cache; invalidations are remembered and replayed
 * when Redis is back ({@link Caches}).
 */
public final class TwoLevelCache<V> {
    private static final Logger LOG = LoggerFactory.getLogger(TwoLevelCache.class);
    private static final String PRESENT = "1";
    private static final String ABSENT = "0";

    private final String name;
    private final Class<V> type;
    private final Predicate<V> cacheable;
    private final Caches owner;
    private final CacheSettings settings;
    private final Flights<Optional<V>> flights;
    private final AtomicLong epoch = new AtomicLong();
    final CacheStats stats = new CacheStats();

    TwoLevelCache(String name, Class<V> type, Predicate<V> cacheable, Caches owner, CacheSettings settings) {
        this.name = name;
        this.type = type;
        this.cacheable = cacheable;
        this.owner = owner;
        this.settings = settings;
        this.flights = new Flights<>(settings.loadWait());
    }

    public String name() {
        return name;
    }

    /** The value for the key: from L1, L2 or {@code loader} (empty = not found), whichever answers first. */
    @SuppressWarnings("unchecked")
    public Optional<V> get(String key, Supplier<Optional<V>> loader) {
        if (!settings.enabled()) {
            return loader.get();
        }
        if (owner.l1Trusted()) {
            LocalTier.Entry e = owner.local().get(name, key);
            if (e != null) {
                stats.hits.increment();
                return Optional.ofNullable((V) e.value());
            }
        }
        stats.misses.increment();
        return flights.run(key, () -> loadThrough(key, loader));
    }

    @SuppressWarnings("unchecked")
    private Optional<V> loadThrough(String key, Supplier<Optional<V>> loader) {
        long seenEpoch = epoch.get();
        if (owner.l1Trusted()) {
            LocalTier.Entry e = owner.local().get(name, key);   // a load that just finished put it there
            if (e != null) {
                return Optional.ofNullable((V) e.value());
            }
        }
        RedisTier.Read read = readL2(key);
        if (read != null && read.stored() != null) {
            Optional<V> found = decode(key, read.stored());
            if (found != null) {
                stats.l2Hits.increment();
                keepL1(key, found, read.stored().length(), seenEpoch);
                return found;
            }
        }
        long started = System.nanoTime();
        Optional<V> loaded;
        try {
            loaded = loader.get();
        } catch (RuntimeException e) {
            stats.loadFailures.increment();
            throw e;
        }
        stats.loads.increment();
        if (loaded.isPresent() && !cacheable.test(loaded.get())) {
            return loaded;
        }
        String stored = encode(loaded);
        if (stored == null) {
            return loaded;
        }
        keepL1(key, loaded, stored.length(), seenEpoch);
        boolean quick = System.nanoTime() - started < RedisTier.GEN_TTL_MS / 2 * 1_000_000;
        if (read != null && quick) {
            try {
                owner.redisTier().put(name, key, stored, loaded.isPresent() ? settings.l2Ttl() : settings.negativeTtl(), read);
            } catch (JedisException e) {
                stats.redisErrors.increment();
            }
        }
        return loaded;
    }

    /** Drops the key everywhere: here, in Redis, and (within a second) on every other instance. */
    public void invalidate(String key) {
        if (!settings.enabled()) {
            return;
        }
        dropLocal(key);
        owner.invalidated(this, Caches.KEY, key);
    }

    /** Drops every key that starts with {@code prefix} ("" = the whole cache), everywhere. */
    public void invalidatePrefix(String prefix) {
        if (!settings.enabled()) {
            return;
        }
        dropLocalPrefix(prefix);
        owner.invalidated(this, Caches.PREFIX, prefix);
    }

    void dropLocal(String key) {
        epoch.incrementAndGet();
        owner.local().remove(name, key);
        stats.invalidations.increment();
    }

    void dropLocalPrefix(String prefix) {
        epoch.incrementAndGet();
        owner.local().removeIf(name, k -> k.startsWith(prefix));
        stats.invalidations.increment();
    }

    /** Warm-up: an entry read from L2 goes into L1 unless something was invalidated meanwhile. */
    boolean warm(String key, String stored, long seenEpoch) {
        Optional<V> v = decode(key, stored);
        if (v == null || v.isEmpty()) {
            return false;
        }
        keepL1(key, v, stored.length(), seenEpoch);
        stats.warmed.increment();
        return true;
    }

    long epoch() {
        return epoch.get();
    }

    private RedisTier.Read readL2(String key) {
        if (!owner.redisTier().usable()) {
            return null;
        }
        try {
            return owner.redisTier().read(name, key);
        } catch (JedisException e) {
            stats.redisErrors.increment();
            return null;
        }
    }

    /** Put, then check: an invalidation that came in since the load began removes what was put. */
    private void keepL1(String key, Optional<V> value, int storedLength, long seenEpoch) {
        Duration ttl = value.isPresent() ? settings.l1Ttl() : settings.negativeTtl();
        owner.local().put(name, key, value.orElse(null), storedLength, ttl);
        if (epoch.get() != seenEpoch) {
            owner.local().remove(name, key);
        }
    }

    private String encode(Optional<V> value) {
        if (value.isEmpty()) {
            return ABSENT;
        }
        try {
            return PRESENT + Json.MAPPER.writeValueAsString(value.get());
        } catch (JsonProcessingException e) {
            LOG.warn("cache {}: a value does not serialize ({}); not cached", name, e.getOriginalMessage());
            return null;
        }
    }

    /** The value a stored form stands for; null when it does not decode (then it is treated as a miss). */
    private Optional<V> decode(String key, String stored) {
        if (stored.equals(ABSENT)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(stored.substring(1).getBytes(StandardCharsets.UTF_8), type));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cache {}: the stored value of '{}' does not decode ({}); loading it afresh", name, key, e.getClass().getSimpleName());
            return null;
        }
    }
}
