package io.sluice.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;

/**
 * L1: one Caffeine for every cache, so {@code cache.l1.max-size} bounds them together. Weighed by an
 * estimate of each entry's heap bytes ({@link #weigh}); a value expires {@code cache.l1.ttl} after
 * it was stored, a "not found" after {@code cache.negative-ttl}. Keeps each cache's entry count and
 * bytes (put and remove adjust them with the value they replaced; the eviction listener, which
 * Caffeine calls for size, expiry and collection, takes the evicted ones off).
 */
final class LocalTier {
    /** An entry: the decoded value (null = "not found"), its weight, and how long it lives. */
    record Entry(Object value, int weight, long ttlNanos) {
    }

    record Key(String cache, String key) {
    }

    private final Cache<Key, Entry> cache;
    private final Map<String, CacheStats> stats = new ConcurrentHashMap<>();

    LocalTier(long maxBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, Entry e) -> e.weight())
                .expireAfter(new Expiry<Key, Entry>() {
                    @Override
                    public long expireAfterCreate(Key k, Entry e, long now) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Key k, Entry e, long now, long remaining) {
                        return e.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(Key k, Entry e, long now, long remaining) {
                        return remaining;   // read does not extend: a TTL is a bound on staleness
                    }
                })
                .evictionListener((Key k, Entry e, RemovalCause cause) -> {
                    if (k != null && e != null) {
                        CacheStats s = stats.get(k.cache());
                        if (s != null) {
                            s.evictions.increment();
                            s.entries.decrementAndGet();
                            s.bytes.addAndGet(-e.weight());
                        }
                    }
                })
                .build();
    }

    void register(String name, CacheStats s) {
        stats.put(name, s);
    }

    Entry get(String name, String key) {
        return cache.getIfPresent(new Key(name, key));
    }

    void put(String name, String key, Object value, int jsonBytes, Duration ttl) {
        Entry e = new Entry(value, weigh(key, jsonBytes), ttl.toNanos());
        Entry old = cache.asMap().put(new Key(name, key), e);
        CacheStats s = stats.get(name);
        if (old == null) {
            s.entries.incrementAndGet();
            s.bytes.addAndGet(e.weight());
        } else {
            s.bytes.addAndGet(e.weight() - old.weight());
        }
    }

    void remove(String name, String key) {
        removed(name, cache.asMap().remove(new Key(name, key)));
    }

    /** Drops every entry of the cache whose key passes; a walk over L1 (invalidations by prefix are rare). */
    void removeIf(String name, Predicate<String> which) {
        for (Key k : new ArrayList<>(cache.asMap().keySet())) {
            if (k.cache().equals(name) && which.test(k.key())) {
                removed(name, cache.asMap().remove(k));
            }
        }
    }

    /** The hottest keys of each cache (Caffeine's own frequency sketch: no bookkeeping on the read path). */
    Map<String, List<String>> hottest(int perCache) {
        Map<String, List<String>> byCache = new ConcurrentHashMap<>();
        if (perCache == 0) {
            return byCache;
        }
        int limit = perCache * Math.max(1, stats.size()) * 2;
        cache.policy().eviction().ifPresent(ev -> ev.hottest(limit).forEach((k, e) -> {
            if (e.value() != null) {
                List<String> keys = byCache.computeIfAbsent(k.cache(), c -> new ArrayList<>());
                if (keys.size() < perCache) {
                    keys.add(k.key());
                }
            }
        }));
        return byCache;
    }

    private void removed(String name, Entry old) {
        if (old != null) {
            CacheStats s = stats.get(name);
            s.entries.decrementAndGet();
            s.bytes.addAndGet(-old.weight());
        }
    }

    /**
     * Heap bytes of an entry, estimated: a decoded value of strings and numbers costs about twice
     * its JSON (Latin-1 strings are a byte a character plus a 40-byte header each, records and boxed
     * values add headers), a Jackson tree somewhat more; so 2 x the JSON plus the key's string and
     * ~120 bytes for the Caffeine node, the key and entry records. Over- rather than under-counting
     * keeps the heap under the cap.
     */
    static int weigh(String key, int jsonBytes) {
        long w = 120L + 40 + 2L * key.length() + 2L * jsonBytes;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }
}
