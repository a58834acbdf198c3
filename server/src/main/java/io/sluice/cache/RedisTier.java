package io.sluice.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.sluice.infra.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;

/**
 * L2 in Redis. Per cache {@code <prefix><cache>:} holds: {@code v:<key>} the value ("1" + JSON, or
 * "0" for "not found") with its TTL; {@code idx} a sorted set of the keys scored by expiry time;
 * {@code g:<key>} and {@code gen} generation counters; {@code hot} the hot keys for warm-up.
 *
 * <p><b>Bounded entry count.</b> A put is one Lua script: SET with PX, ZADD to the index, drop the
 * index members already expired, and if the index is still over {@code cache.l2.max-entries} pop
 * the members closest to expiry (ZPOPMIN) and DEL their values — atomically, so the cache never
 * holds more than max-entries values, whatever the number of instances writing. (The script DELs
 * keys it computes, which Redis Cluster would refuse; Sluice uses one Redis.)
 *
 * <p><b>No stale fill.</b> A reader reads the value and both generations in one MGET; on a miss it
 * loads from PostgreSQL and the put script writes only if neither generation moved. Every
 * invalidation bumps the key's generation (a prefix one the cache's) before it deletes, so a load
 * that read the database before a write can never put its old value back after the write's
 * invalidation, on any instance. A key generation lives {@value #GEN_TTL_MS} ms: a load slower than
 * half of that does not put into L2 at all.
 */
final class RedisTier {
    static final long GEN_TTL_MS = 60_000;
    private static final int SCAN_COUNT = 500;

    private static final String PUT = """
            local g = redis.call('GET', KEYS[2]) or ''
            local c = redis.call('GET', KEYS[3]) or ''
            if g ~= ARGV[3] or c ~= ARGV[4] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), ARGV[6])
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
            local over = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[5])
            if over > 0 then
              local victims = redis.call('ZPOPMIN', KEYS[4], over)
              for i = 1, #victims, 2 do redis.call('DEL', ARGV[7] .. victims[i]) end
            end
            redis.call('PEXPIRE', KEYS[4], ARGV[8])
            return 1""";
    private static final String INVALIDATE = """
            redis.call('INCR', KEYS[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[1])
            redis.call('DEL', KEYS[1])
            redis.call('ZREM', KEYS[3], ARGV[2])
            return 1""";

    /** What one MGET found: the stored form (null: nothing) and the generations to put under. */
    record Read(String stored, String keyGen, String cacheGen) {
    }

    private final Redis redis;
    private final String prefix;
    private final long ttlMs;
    private final int maxEntries;

    RedisTier(Redis redis, CacheSettings s) {
        this.redis = redis;
        this.prefix = s.redisPrefix();
        this.ttlMs = s.l2Ttl().toMillis();
        this.maxEntries = s.l2MaxEntries();
    }

    /** True unless Redis is known to be down (then nothing here is tried: no wait at all). */
    boolean usable() {
        return !redis.knownDown();
    }

    Read read(String cache, String key) {
        try (Jedis j = redis.connection()) {
            List<String> r = j.mget(value(cache, key), base(cache) + "g:" + key, base(cache) + "gen");
            return new Read(r.get(0), orEmpty(r.get(1)), orEmpty(r.get(2)));
        }
    }

    /** Stores unless a generation moved since {@code seen}; false when it did. */
    boolean put(String cache, String key, String stored, Duration ttl, Read seen) {
        String b = base(cache);
        try (Jedis j = redis.connection()) {
            Object r = j.eval(PUT, List.of(value(cache, key), b + "g:" + key, b + "gen", b + "idx"),
                              List.of(stored, String.valueOf(ttl.toMillis()), seen.keyGen(), seen.cacheGen(),
                                      String.valueOf(maxEntries), key, b + "v:", String.valueOf(ttlMs)));
            return Long.valueOf(1).equals(r);
        }
    }

    void invalidate(String cache, String key) {
        String b = base(cache);
        try (Jedis j = redis.connection()) {
            j.eval(INVALIDATE, List.of(value(cache, key), b + "g:" + key, b + "idx"), List.of(String.valueOf(GEN_TTL_MS), key));
        }
    }

    /**
     * Bumps the cache's generation (no fill in flight can land after this), then walks the cache's
     * index with ZSCAN MATCH/COUNT — the SCAN family, never KEYS, and only over this cache's own
     * keys (at most max-entries), not the whole keyspace — deleting each batch of values and members.
     */
    int invalidatePrefix(String cache, String keyPrefix) {
        String b = base(cache);
        int deleted = 0;
        try (Jedis j = redis.connection()) {
            j.incr(b + "gen");
            ScanParams params = new ScanParams().match(glob(keyPrefix) + "*").count(SCAN_COUNT);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<Tuple> page = j.zscan(b + "idx", cursor, params);
                List<String> members = page.getResult().stream().map(Tuple::getElement).toList();
                if (!members.isEmpty()) {
                    Pipeline p = j.pipelined();
                    p.del(members.stream().map(m -> b + "v:" + m).toArray(String[]::new));
                    p.zrem(b + "idx", members.toArray(String[]::new));
                    p.sync();
                    deleted += members.size();
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return deleted;
    }

    /** Records this instance's hottest keys; the set keeps the {@code max} most recently reported. */
    void recordHot(String cache, List<String> keys, int max) {
        String hot = base(cache) + "hot";
        double now = System.currentTimeMillis();
        try (Jedis j = redis.connection()) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < keys.size(); i++) {
                p.zadd(hot, now - i, keys.get(i));   // hotter first among equals
            }
            p.zremrangeByRank(hot, 0, -(max + 1));
            p.pexpire(hot, Math.max(ttlMs, 86_400_000L));
            p.sync();
        }
    }

    /** The hot keys and their stored forms (null where gone), in two round trips. */
    List<String[]> hot(String cache, int max) {
        try (Jedis j = redis.connection()) {
            List<String> keys = j.zrevrange(base(cache) + "hot", 0, max - 1);
            if (keys.isEmpty()) {
                return List.of();
            }
            List<String> values = j.mget(keys.stream().map(k -> value(cache, k)).toArray(String[]::new));
            List<String[]> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                out.add(new String[] {keys.get(i), values.get(i)});
            }
            return out;
        }
    }

    private String base(String cache) {
        return prefix + cache + ":";
    }

    private String value(String cache, String key) {
        return base(cache) + "v:" + key;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The prefix as a glob that matches only itself: *, ?, [, ] and \ escaped. */
    static String glob(String literal) {
        return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }
}
