package io.sluice.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.sluice.infra.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Token buckets in Redis hashes, updated atomically by one Lua script (EVALSHA), so every instance
 * draws on the same budget. Time comes from Redis (TIME): instance clocks may differ.
 *
 * <p>One call serves one or more buckets in order (a request's per-IP bucket, then its per-client
 * one) in a single round trip. For each bucket it first adds back the tokens an instance returns
 * (an expired lease's leftovers, capped at capacity), then grants {@code min(want, available)}
 * whole tokens: a lease the instance spends locally. With {@code stop} set the walk has the
 * semantics of checking the buckets one after the other: the first bucket that grants nothing
 * (while something was wanted) refuses the request, later buckets get their returns but grant
 * nothing, and the tokens granted by earlier buckets stay taken. All keys of one call must live on
 * one Redis node (no Redis Cluster here; with one, give them a common hash tag).
 */
final class RedisTokenBucket {
    private static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local stop = ARGV[1] == '1'
            local refused = false
            local out = {}
            for i = 1, #KEYS do
              local capacity = tonumber(ARGV[4 * i - 2])
              local rate = tonumber(ARGV[4 * i - 1])
              local want = tonumber(ARGV[4 * i])
              local back = tonumber(ARGV[4 * i + 1])
              local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
              local tokens = tonumber(state[1])
              local ts = tonumber(state[2])
              if tokens == nil or ts == nil then
                tokens = capacity
                ts = now
              end
              tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate + back)
              local granted = -1
              if not refused then
                granted = math.min(want, math.floor(tokens))
                tokens = tokens - granted
              end
              redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(now))
              local full_ms = math.ceil((capacity - tokens) / rate)
              redis.call('PEXPIRE', KEYS[i], full_ms + 1000)
              local wait_ms = 0
              if granted == 0 and want > 0 then
                wait_ms = math.ceil((1 - tokens) / rate)
                refused = stop
              end
              out[4 * i - 3] = granted
              out[4 * i - 2] = math.floor(tokens)
              out[4 * i - 1] = wait_ms
              out[4 * i] = full_ms
            end
            return out
            """;

    /** One bucket's answer: tokens granted (-1: not reached after a refusal), left in Redis, ms until one token, until full. */
    record Grant(int granted, int remaining, long waitMs, long fullMs) {
    }

    private final Redis redis;
    private final String prefix;
    private volatile String sha;

    RedisTokenBucket(Redis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /**
     * Returns {@code back[i]} tokens to and leases up to {@code want[i]} tokens from each bucket, in
     * one round trip; with {@code stop}, a bucket that cannot grant ends the granting (see above).
     */
    Grant[] lease(List<String> bucketKeys, List<Limit> limits, int[] want, int[] back, boolean stop) {
        int n = bucketKeys.size();
        List<String> keys = new ArrayList<>(n);
        List<String> args = new ArrayList<>(1 + n * 4);
        args.add(stop ? "1" : "0");
        for (int i = 0; i < n; i++) {
            keys.add(prefix + bucketKeys.get(i));
            args.add(String.valueOf(limits.get(i).capacity()));
            args.add(String.valueOf(limits.get(i).refillPerMs()));
            args.add(String.valueOf(want[i]));
            args.add(String.valueOf(back[i]));
        }
        try (Jedis j = redis.connection()) {
            Object result;
            try {
                if (sha == null) {
                    sha = j.scriptLoad(SCRIPT);
                }
                result = j.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {   // Redis restarted or SCRIPT FLUSH: load it again
                sha = j.scriptLoad(SCRIPT);
                result = j.evalsha(sha, keys, args);
            }
            List<?> r = (List<?>) result;
            Grant[] grants = new Grant[n];
            for (int i = 0; i < n; i++) {
                grants[i] = new Grant((int) number(r.get(4 * i)), (int) Math.min(Integer.MAX_VALUE, number(r.get(4 * i + 1))),
                                      number(r.get(4 * i + 2)), number(r.get(4 * i + 3)));
            }
            return grants;
        }
    }

    private static long number(Object o) {
        return o instanceof Long l ? l : Long.parseLong(new String((byte[]) o, StandardCharsets.UTF_8));
    }
}
