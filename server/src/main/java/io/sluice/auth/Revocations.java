package io.sluice.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.sluice.infra.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * Revoked token ids in Redis, each kept until its token would have expired anyway, so every
 * instance refuses a logged-out token. A Redis failure propagates (503): a revocation that cannot
 * be checked is not assumed absent.
 */
public final class Revocations {
    private static final String KEY = "sluice:auth:revoked:";

    private final Redis redis;
    private final Clock clock;

    public Revocations(Redis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    public void revoke(String tokenId, Instant expiresAt) {
        long ttl = Duration.between(clock.instant(), expiresAt).toMillis();
        if (ttl <= 0) {
            return;
        }
        try (Jedis j = redis.connection()) {
            j.set(KEY + tokenId, "1", SetParams.setParams().px(ttl));
        }
    }

    public boolean revoked(String tokenId) {
        try (Jedis j = redis.connection()) {
            return j.exists(KEY + tokenId);
        }
    }
}
