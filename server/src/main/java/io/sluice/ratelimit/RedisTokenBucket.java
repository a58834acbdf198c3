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
 * <p>One call takes a token from one or more buckets in order (a request's per-IP bucket, then its
 * per-client one) in a single round trip. The semantics are those of checking them one after the
 * other: a bucket that refuses stops the walk, later buckets are not touched, and the tokens of
 * earlier buckets stay taken (a request refused by its client bucket still spent an IP token, as
 * with two separate checks). The answer is the last bucket looked at. All keys of one call must
 * live on one Redis node (no Redis Cluster here; with one, give them a common hash tag).
 */
final class RedisTokenBucket {
    private static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local result
            for i = 1, #KEYS do
              local capacity = tonumber(ARGV[2 * i - 1])
              local rate = tonumber(ARGV[2 * i])
              local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
              local tokens = tonumber(state[1])
              local ts = tonumber(state[2])
              if tokens == nil or ts == nil then
                tokens = capacity
                ts = now
              end
              tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
              local allowed = 0
              if tokens >= 1 then
                tokens = tokens - 1
                allowed = 1
              end
              redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(now))
              local full_ms = math.ceil((capacity - tokens) / rate)
              redis.call('PEXPIRE', KEYS[i], full_ms + 1000)
              local wait_ms = 0
              if allowed == 0 then
                wait_ms = math.ceil((1 - tokens) / rate)
              end
              result = {i, allowed, math.floor(tokens), wait_ms, full_ms}
              if allowed == 0 then
                return result
              end
            end
            return result
            """;

    private final Redis redis;
    private final String prefix;
    private volatile String sha;

    RedisTokenBucket(Redis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    /** Takes a token from each bucket in order, stopping at the first that refuses; one round trip. */
    Verdict take(List<String> bucketKeys, List<Limit> limits) {
        List<String> keys = new ArrayList<>(bucketKeys.size());
        List<String> args = new ArrayList<>(limits.size() * 2);
        for (int i = 0; i < bucketKeys.size(); i++) {
            keys.add(prefix + bucketKeys.get(i));
            args.add(String.valueOf(limits.get(i).capacity()));
            args.add(String.valueOf(limits.get(i).refillPerMs()));
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
            int bucket = (int) number(r.get(0)) - 1;
            return new Verdict(bucket, new Decision(number(r.get(1)) == 1, limits.get(bucket).capacity(),
                                                    (int) number(r.get(2)), number(r.get(3)), number(r.get(4))));
        }
    }

    private static long number(Object o) {
        return o instanceof Long l ? l : Long.parseLong(new String((byte[]) o, StandardCharsets.UTF_8));
    }
}
