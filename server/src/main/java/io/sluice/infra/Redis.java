package io.sluice.infra;

import java.net.URI;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.Pool;

/**
 * Redis through a bounded Jedis pool: a borrower waits at most max-wait, every socket has connect
 * and read timeouts, and nothing is tested on borrow (no extra round trip per request). While Redis
 * is known to be unreachable {@link #connection()} throws at once, so each feature takes its
 * documented fallback without waiting; one background probe ({@link Outage}) decides when it is back.
 * With Sentinels configured the pool follows the primary they name ({@link RedisPools}), and the
 * probe checks that primary, so after a failover every user of {@link #connection()} (scripts,
 * streams, the pub/sub subscribers' reconnects) lands on the new primary by itself.
 */
public final class Redis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(250);   // while known down
    /** The longest BLOCK a blocking command may ask for; its socket wait is this plus the socket timeout. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(10);

    private final RedisSettings settings;
    private final URI uri;
    private final Outage outage;
    private final Pool<Jedis> pool;

    private Redis(RedisSettings settings, URI uri, JedisPoolConfig pc) {
        this.settings = settings;
        this.uri = uri;
        this.outage = new Outage("redis", PROBE_INTERVAL, this::probe);
        this.pool = RedisPools.open(settings, uri, pc, outage);
    }

    public static Redis open(RedisSettings s, String url) {
        JedisPoolConfig pc = new JedisPoolConfig();
        pc.setMaxTotal(s.maxTotal());
        pc.setMaxIdle(s.maxIdle());
        pc.setMinIdle(s.minIdle());
        pc.setMaxWait(s.maxWait());
        pc.setBlockWhenExhausted(true);
        pc.setTestOnBorrow(false);
        pc.setTestWhileIdle(true);
        pc.setJmxEnabled(false);
        URI uri = URI.create(url == null ? "" : url);
        Redis redis = new Redis(s, uri, pc);
        LOG.info("redis {}{} (pool max {}, max wait {} ms)", redis.target(),
                 s.sentinel() ? " (primary named by sentinels " + s.sentinels() + " for " + s.masterName() + ")" : "",
                 s.maxTotal(), s.maxWait().toMillis());
        return redis;
    }

    /**
     * A pooled connection; close it (try-with-resources) to give it back. Throws
     * {@link JedisConnectionException} at once while Redis is known to be down.
     */
    public Jedis connection() {
        if (outage.isDown()) {
            throw new JedisConnectionException("redis is known to be unreachable; a background probe checks it");
        }
        try {
            return pool.getResource();
        } catch (JedisConnectionException e) {
            // A new connection could not be opened. (Every connection busy for max-wait is a plain
            // JedisException: Redis slow or this instance busy, not gone.)
            outage.down(e);
            throw e;
        }
    }

    /** Where connections go now: the fixed address, or the primary the Sentinels last named. */
    public HostAndPort target() {
        return RedisPools.target(pool, uri);
    }

    /**
     * The probe's check, on its own connection (never the pool's) to the current target: PING within
     * the configured timeouts. Behind Sentinels the target changes when they announce a new primary.
     */
    private boolean probe() {
        try (Jedis j = new Jedis(target(), RedisPools.clientConfig(settings, uri))) {
            boolean up = "PONG".equals(j.ping());
            if (up && outage.isDown()) {
                pool.clear();   // idle connections from before the outage are most likely dead
            }
            return up;
        }
    }

    public boolean isReachable() {
        if (outage.isDown()) {
            return false;
        }
        try (Jedis j = connection()) {
            return "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** True while Redis is known to be unreachable (callers take their fallback at once). */
    public boolean knownDown() {
        return outage.isDown();
    }

    public int active() {
        return pool.getNumActive();
    }

    public int idle() {
        return pool.getNumIdle();
    }

    public int waiting() {
        return pool.getNumWaiters();
    }

    public int maxTotal() {
        return settings.maxTotal();
    }

    @Override
    public void close() {
        outage.close();
        pool.close();
    }

    public RedisSettings settings() {
        return settings;
    }
}
