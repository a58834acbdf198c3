package io.sluice.infra;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Redis through a bounded Jedis pool: a borrower waits at most max-wait, and every socket has
 * connect and read timeouts, so a dead Redis costs a request seconds, not forever.
 */
public final class Redis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Redis.class);

    private final JedisPool pool;
    private final RedisSettings settings;

    private Redis(JedisPool pool, RedisSettings settings) {
        this.pool = pool;
        this.settings = settings;
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
        URI uri = URI.create(url);
        JedisPool pool = new JedisPool(pc, uri, (int) s.connectTimeout().toMillis(), (int) s.socketTimeout().toMillis());
        LOG.info("redis {}:{} (pool max {}, max wait {} ms)", uri.getHost(), uri.getPort(), s.maxTotal(), s.maxWait().toMillis());
        return new Redis(pool, s);
    }

    /** A pooled connection; close it (try-with-resources) to give it back. */
    public Jedis connection() {
        return pool.getResource();
    }

    public boolean isReachable() {
        try (Jedis j = pool.getResource()) {
            return "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            return false;
        }
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
        pool.close();
    }

    public RedisSettings settings() {
        return settings;
    }
}
