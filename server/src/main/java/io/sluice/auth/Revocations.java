package io.sluice.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.sluice.infra.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Revoked token ids in Redis, each kept until its token would have expired anyway, so every
 * instance refuses a logged-out token. Each instance also holds the ids in memory, so checking a
 * token costs no Redis trip: a logout publishes the id on the {@link InvalidationBus}, and every
 * (re)subscription first reloads all ids from Redis (SCAN), so a message missed while disconnected
 * is not lost. Only while the bus is {@link InvalidationBus#live() live} is "not in memory" taken as
 * "not revoked"; otherwise the check goes to Redis as before, and a Redis failure propagates (503):
 * a revocation that cannot be checked is not assumed absent.
 */
public final class Revocations implements InvalidationBus.Listener {
    private static final String KEY = "sluice:auth:revoked:";
    private static final String MESSAGE = "revoke ";
    /** Beyond this many live revocations the memory copy stops growing and every check asks Redis. */
    private static final int MAX_LOCAL = 1_000_000;

    private final Redis redis;
    private final Clock clock;
    private final Duration tokenTtl;
    private final ConcurrentHashMap<String, Long> revoked = new ConcurrentHashMap<>();   // token id -> expiry (epoch ms)
    private volatile InvalidationBus bus;
    private volatile boolean overflow;   // an id was not kept in memory: until a complete reload, ask Redis
    private final AtomicLong drops = new AtomicLong();
    private int remembered;              // a racy counter is fine: it only paces the purge

    public Revocations(Redis redis, Clock clock, Duration tokenTtl) {
        this.redis = redis;
        this.clock = clock;
        this.tokenTtl = tokenTtl;
    }

    /** Checks go through memory once the bus is attached and live; without one every check asks Redis. */
    void attach(InvalidationBus bus) {
        this.bus = bus;
    }

    public void revoke(String tokenId, Instant expiresAt) {
        long ttl = Duration.between(clock.instant(), expiresAt).toMillis();
        if (ttl <= 0) {
            return;
        }
        long until = expiresAt.toEpochMilli();
        try (Jedis j = redis.connection()) {
            j.set(KEY + tokenId, String.valueOf(until), SetParams.setParams().px(ttl));
        }
        remember(tokenId, until);   // this instance refuses it at once
        InvalidationBus b = bus;
        if (b != null) {
            b.publish(MESSAGE + tokenId + " " + until);
        }
    }

    public boolean revoked(String tokenId) {
        Long until = revoked.get(tokenId);
        if (until != null && until > clock.millis()) {
            return true;
        }
        InvalidationBus b = bus;
        if (b != null && b.live() && !overflow) {
            return false;
        }
        try (Jedis j = redis.connection()) {
            return j.exists(KEY + tokenId);
        }
    }

    @Override
    public void onMessage(String message) {
        if (message.startsWith(MESSAGE)) {
            String[] parts = message.split(" ");
            if (parts.length == 3) {
                try {
                    remember(parts[1], Long.parseLong(parts[2]));
                } catch (NumberFormatException e) {
                    remember(parts[1], clock.millis() + tokenTtl.toMillis());
                }
            }
        }
    }

    /** Loads every revocation still in Redis (adds only: a concurrent message is never undone). */
    @Override
    public void resync() {
        purgeExpired();
        long dropsBefore = drops.get();
        long fallback = clock.millis() + tokenTtl.toMillis();   // a value from before expiries were stored
        ScanParams params = new ScanParams().match(KEY + "*").count(1000);
        try (Jedis j = redis.connection()) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, params);
                List<String> keys = page.getResult();
                if (!keys.isEmpty()) {
                    List<String> values = j.mget(keys.toArray(String[]::new));
                    for (int i = 0; i < keys.size(); i++) {
                        String v = values.get(i);
                        if (v != null) {
                            remember(keys.get(i).substring(KEY.length()), v.matches("\\d{10,}") ? Long.parseLong(v) : fallback);
                        }
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        if (drops.get() == dropsBefore) {
            overflow = false;   // every id dropped before this reload was in Redis, and is in memory now
        }
    }

    /**
     * Every minute, the same reload: should a logout's message ever be lost while the subscription
     * stayed up (its PUBLISH failed after the SET), the id is still learnt here within a minute.
     */
    @Override
    public void refresh() {
        resync();
    }

    private void remember(String tokenId, long until) {
        if ((++remembered & 1023) == 0) {
            purgeExpired();
        }
        if (revoked.size() >= MAX_LOCAL) {
            purgeExpired();
            if (revoked.size() >= MAX_LOCAL) {
                drops.incrementAndGet();
                overflow = true;
                return;
            }
        }
        revoked.merge(tokenId, until, Math::max);
    }

    private void purgeExpired() {
        long now = clock.millis();
        revoked.values().removeIf(until -> until <= now);
    }
}
