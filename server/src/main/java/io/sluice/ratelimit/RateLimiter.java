package io.sluice.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.infra.Redis;
import io.sluice.observe.ServerMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Token buckets shared by every instance through Redis, spent through local leases ({@link Leases}:
 * a busy bucket costs one Redis trip per lease, not per request). While Redis is unreachable it falls back
 * as configured (per-instance buckets, open or closed), says so in the gauge
 * {@code sluice_ratelimit_fallback} and in a WARN at most every 30 s, and tries Redis again after
 * {@code ratelimit.redis-retry} so a dead Redis does not cost every request a connect timeout.
 */
public final class RateLimiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    private static final long WARN_EVERY_MS = 30_000;

    private final Leases leases;
    private final LocalTokenBuckets local = new LocalTokenBuckets();
    private final RateLimitSettings.RedisDown mode;
    private final long retryMs;
    private final AtomicLong downSince = new AtomicLong();   // 0 while Redis answers
    private final AtomicLong lastWarn = new AtomicLong();

    public RateLimiter(Redis redis, RateLimitSettings s, ServerMeters meters) {
        this.leases = new Leases(new RedisTokenBucket(redis, s.redisPrefix()), s.leasePercent(), s.leaseTtl());
        this.mode = s.redisDown();
        this.retryMs = s.redisRetry().toMillis();
        meters.gauge("sluice.ratelimit.fallback", "1 while the rate limiter cannot reach Redis and uses its fallback",
                     List.of(), () -> downSince.get() == 0 ? 0 : 1);
    }

    /** Takes one token from the named bucket. */
    public Decision take(String key, Limit limit) {
        return take(List.of(key), List.of(limit)).decision();
    }

    /** Takes a token from each bucket in order, stopping at the first that refuses (at most one Redis round trip). */
    Verdict take(List<String> keys, List<Limit> limits) {
        long down = downSince.get();
        long now = System.currentTimeMillis();
        if (down == 0 || now - down >= retryMs) {
            try {
                Verdict d = leases.take(keys, limits);
                if (down != 0 && downSince.compareAndSet(down, 0)) {
                    LOG.info("rate limiter: Redis reachable again; shared buckets back in use");
                }
                return d;
            } catch (JedisException e) {
                downSince.set(now);
                if (now - lastWarn.get() >= WARN_EVERY_MS) {
                    lastWarn.set(now);
                    LOG.warn("rate limiter: Redis unreachable ({}); falling back to {} until it answers",
                             e.getClass().getSimpleName(), describe(mode));
                }
            }
        }
        return switch (mode) {
            case LOCAL -> local.take(keys, limits);
            case OPEN -> new Verdict(limits.size() - 1, Decision.open(limits.getLast()));
            case CLOSED -> throw ApiException.unavailable(ErrorCode.RATE_LIMITER_UNAVAILABLE,
                    "the rate limiter cannot reach its store; retry later", Duration.ofMillis(Math.max(1000, retryMs)));
        };
    }

    /** Stops the lease returner and gives unspent leased tokens back to Redis. */
    @Override
    public void close() {
        leases.close();
    }

    public boolean fallingBack() {
        return downSince.get() != 0;
    }

    private static String describe(RateLimitSettings.RedisDown mode) {
        return switch (mode) {
            case LOCAL -> "per-instance buckets";
            case OPEN -> "no limits (open)";
            case CLOSED -> "refusing requests (closed)";
        };
    }
}
