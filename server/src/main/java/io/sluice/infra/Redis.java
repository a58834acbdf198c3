package io.sluice.infra;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;
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
    private final Tracing tracing;
    /** Tracing on: the span of each borrowed connection, ended when it goes back (one span per use of a connection). */
    private final Map<Jedis, TraceSpan> spans = new ConcurrentHashMap<>();

    private Redis(RedisSettings settings, URI uri, JedisPoolConfig pc, Tracing tracing) {
        this.settings = settings;
        this.tracing = tracing;
        this.uri = uri;
        this.outage = new Outage("redis", PROBE_INTERVAL, this::probe);
        this.pool = RedisPools.open(settings, uri, pc, outage, tracing.enabled() ? this::returned : null);
    }

    public static Redis open(RedisSettings s, String url) {
        return open(s, url, Tracing.OFF);
    }

    /** As {@link #open(RedisSettings, String)}; with tracing on, each borrowed connection's use is a client span. */
    public static Redis open(RedisSettings s, String url, Tracing tracing) {
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
        Redis redis = new Redis(s, uri, pc, tracing);
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
            Jedis j = pool.getResource();
            if (tracing.enabled()) {   // the path when off: one check
                traced(j);
            }
            return j;
        } catch (JedisConnectionException e) {
            // A new connection could not be opened. (Every connection busy for max-wait is a plain
            // JedisException: Redis slow or this instance busy, not gone.)
            outage.down(e);
            throw e;
        }
    }

    /**
     * A connection outside the pool, for a long-lived subscription (close it when done); with the
     * pool's connect and socket timeouts. Throws at once while Redis is known to be down.
     */
    public Jedis dedicatedConnection() {
        if (outage.isDown()) {
            throw new JedisConnectionException("redis is known to be unreachable; a background probe checks it");
        }
        return new Jedis(target(), RedisPools.clientConfig(settings, uri));
    }

    /**
     * Redis calls are traced here, at the one place every feature gets its connection: a span from
     * borrow to return covers the command (or pipeline) run on it, inside a request's or task's trace.
     */
    private void traced(Jedis j) {
        TraceSpan span = tracing.childClient("redis", false);
        if (span != TraceSpan.NOOP) {
            HostAndPort at = target();
            span.set("db.system.name", "redis").set("server.address", at.getHost()).set("server.port", at.getPort());
            spans.put(j, span);
        }
    }

    private void returned(Jedis j, boolean broken) {
        TraceSpan span = spans.remove(j);
        if (span != null) {
            if (broken) {
                span.error("broken connection");
            }
            span.close();
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
