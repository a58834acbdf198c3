package io.sluice.auth;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified API keys in memory (SHA-256 of the key → its principal), bounded and expiring after
 * {@code auth.cache.ttl}, so a known key costs no PostgreSQL lookup. Only successful lookups are
 * kept: a wrong key always goes to the database, exactly as without the cache, behind the per-IP
 * limit. The cache answers only while the {@link InvalidationBus} is live, and is emptied on every
 * (re)subscription, so a deletion published anywhere takes effect here within a second.
 *
 * <p>A lookup that started before an invalidation must not put its (now stale) answer back after
 * it: every invalidation bumps {@link #epoch}, and a result is cached only if the epoch it started
 * in is still current — checked and stored under the same lock the invalidation takes.
 */
final class KeyCache implements InvalidationBus.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(KeyCache.class);
    private static final String KEY = "key ";
    private static final String USER = "user ";

    private final Cache<Digest, Principal> cache;   // null: caching off (auth.cache.max-entries: 0)
    private long epoch;                             // guarded by this
    private volatile InvalidationBus bus;

    KeyCache(Duration ttl, int maxEntries) {
        this.cache = maxEntries == 0 ? null : Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl)
                .recordStats().build();
    }

    /** A key's SHA-256 as the cache key: compared by content, hashed from its first bytes (already uniform). */
    record Digest(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && Arrays.equals(bytes, d.bytes);
        }

        @Override
        public int hashCode() {
            return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF;
        }

        @Override
        public String toString() {
            return "Digest[" + bytes.length + " bytes]";
        }
    }

    void attach(InvalidationBus bus) {
        this.bus = bus;
    }

    /** The cached principal for a key hash, or null (not cached, caching off, or invalidations not live). */
    Principal get(Digest keyHash) {
        InvalidationBus b = bus;
        return cache == null || b == null || !b.live() ? null : cache.getIfPresent(keyHash);
    }

    /** Lookups answered from memory so far. */
    long hits() {
        return cache == null ? 0 : cache.stats().hitCount();
    }

    synchronized long epoch() {
        return epoch;
    }

    /** Caches a verified key unless something was invalidated since {@code seenEpoch}. */
    synchronized void put(Digest keyHash, Principal p, long seenEpoch) {
        InvalidationBus b = bus;
        if (cache != null && b != null && b.live() && seenEpoch == epoch) {
            cache.put(keyHash, p);
        }
    }

    /** After the key's row is deleted: gone here at once, and on every other instance through the bus. */
    void keyDeleted(String keyId) {
        invalidate(p -> keyId.equals(p.keyId()));
        publish(KEY + keyId);
    }

    /** After a user's role, password or existence changed: their keys are looked up afresh everywhere. */
    void userChanged(String userId) {
        invalidate(p -> userId.equals(p.userId()));
        publish(USER + userId);
    }

    @Override
    public void onMessage(String message) {
        if (message.startsWith(KEY)) {
            String id = message.substring(KEY.length());
            invalidate(p -> id.equals(p.keyId()));
        } else if (message.startsWith(USER)) {
            String id = message.substring(USER.length());
            invalidate(p -> id.equals(p.userId()));
        }
    }

    @Override
    public void resync() {
        invalidate(p -> true);   // changes may have been missed while disconnected
    }

    private synchronized void invalidate(Predicate<Principal> which) {
        epoch++;
        if (cache != null) {
            cache.asMap().values().removeIf(which);
        }
    }

    private void publish(String message) {
        InvalidationBus b = bus;
        if (b == null) {
            return;
        }
        try {
            b.publish(message);
        } catch (RuntimeException e) {
            // Another instance that still reaches Redis keeps the entry until auth.cache.ttl; one that
            // does not is not live and asks PostgreSQL anyway.
            LOG.error("auth caches: could not publish '{}' ({}); other instances may accept it for up to auth.cache.ttl",
                      message, e.getClass().getSimpleName());
        }
    }
}
