package io.sluice.infra;

import java.net.URI;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.util.JedisURIHelper;
import redis.clients.jedis.util.Pool;

/**
 * The two pools {@link Redis} can stand on: one fixed address, or the primary the Sentinels name
 * (Jedis' {@link JedisSentinelPool} listens for {@code +switch-master}, repoints its factory and
 * clears its idle connections; a borrowed connection to the old primary is dropped on the next
 * borrow). Both report broken connections to the {@link Outage} and destroy them off the caller's
 * thread: commons-pool replaces a destroyed connection for a waiting borrower right there, and
 * against a stalled Redis that is a connect plus a handshake timeout on a request's thread.
 */
final class RedisPools {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPools.class);

    private RedisPools() {
    }

    /** Where the pool's connections go now (the Sentinels' current primary, or the fixed address). */
    static HostAndPort target(Pool<Jedis> pool, URI uri) {
        return pool instanceof JedisSentinelPool sp ? sp.getCurrentHostMaster() : new HostAndPort(uri.getHost(), uri.getPort());
    }

    /** Client settings for connections to the data node: the timeouts, and user/password/db from the URL if any. */
    static JedisClientConfig clientConfig(RedisSettings s, URI uri) {
        // Jedis lifts the socket timeout for blocking commands (XREADGROUP BLOCK) unless given one:
        // a stalled Redis would hang a task worker for good. Blocking reads wait at most MAX_BLOCK.
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                .connectionTimeoutMillis((int) s.connectTimeout().toMillis())
                .socketTimeoutMillis((int) s.socketTimeout().toMillis())
                .blockingSocketTimeoutMillis((int) (s.socketTimeout().toMillis() + Redis.MAX_BLOCK.toMillis()));
        if (uri != null && uri.getScheme() != null) {
            b.user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri)).database(JedisURIHelper.getDBIndex(uri))
             .ssl(JedisURIHelper.isRedisSSLScheme(uri));
        }
        return b.build();
    }

    /** {@code returned} (nullable) hears of every connection given back, and whether it was broken (tracing ends its span). */
    static Pool<Jedis> open(RedisSettings s, URI uri, JedisPoolConfig pc, Outage outage, BiConsumer<Jedis, Boolean> returned) {
        JedisClientConfig client = clientConfig(s, uri);
        if (!s.sentinel()) {
            return new Guarded(pc, new HostAndPort(uri.getHost(), uri.getPort()), client, outage, returned);
        }
        Set<HostAndPort> sentinels = s.sentinels().stream().map(HostAndPort::from).collect(Collectors.toSet());
        JedisClientConfig toSentinels = DefaultJedisClientConfig.builder().autoNegotiateProtocol(false)
                .connectionTimeoutMillis((int) s.connectTimeout().toMillis())
                .socketTimeoutMillis((int) s.socketTimeout().toMillis())
                .build();
        return new GuardedSentinel(s.masterName(), sentinels, pc, client, toSentinels, outage, returned);
    }

    private static void tellReturned(BiConsumer<Jedis, Boolean> returned, Jedis resource, boolean broken) {
        if (returned != null) {
            returned.accept(resource, broken);
        }
    }

    private static void discard(Runnable returnBroken) {
        Thread.ofVirtual().name("redis-discard").start(() -> {
            try {
                returnBroken.run();
            } catch (RuntimeException e) {
                LOG.debug("discarding a broken redis connection failed: {}", e.toString());
            }
        });
    }

    private static final class Guarded extends JedisPool {
        private final Outage outage;
        private final BiConsumer<Jedis, Boolean> returned;

        Guarded(JedisPoolConfig pc, HostAndPort at, JedisClientConfig client, Outage outage, BiConsumer<Jedis, Boolean> returned) {
            super(pc, at, client);
            this.outage = outage;
            this.returned = returned;
        }

        @Override
        public void returnResource(Jedis resource) {
            tellReturned(returned, resource, false);
            super.returnResource(resource);
        }

        @Override
        public void returnBrokenResource(Jedis resource) {
            tellReturned(returned, resource, true);
            outage.suspect(null);
            discard(() -> super.returnBrokenResource(resource));
        }
    }

    private static final class GuardedSentinel extends JedisSentinelPool {
        private final Outage outage;
        private final BiConsumer<Jedis, Boolean> returned;

        GuardedSentinel(String master, Set<HostAndPort> sentinels, JedisPoolConfig pc, JedisClientConfig client,
                        JedisClientConfig toSentinels, Outage outage, BiConsumer<Jedis, Boolean> returned) {
            super(master, sentinels, pc, client, toSentinels);
            this.outage = outage;
            this.returned = returned;
        }

        @Override
        public void returnResource(Jedis resource) {
            tellReturned(returned, resource, false);
            super.returnResource(resource);
        }

        @Override
        public void returnBrokenResource(Jedis resource) {
            tellReturned(returned, resource, true);
            outage.suspect(null);
            discard(() -> super.returnBrokenResource(resource));
        }
    }
}
