package io.sluice.ratelimit;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.sluice.infra.Redis;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A token bucket in one Redis hash, updated atomically by a Lua script (EVALSHA), so every
 * instance draws on the same budget. Time comes from Redis (TIME): instance clocks may differ.
 */
final class RedisTokenBucket {
    private static final String SCRIPT = """
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
            local full_ms = math.ceil((capacity - tokens) / rate)
            redis.call('PEXPIRE', KEYS[1], full_ms + 1000)
            local wait_ms = 0
            if allowed == 0 then
              wait_ms = math.ceil((1 - tokens) / rate)
            end
            return {allowed, math.floor(tokens), wait_ms, full_ms}
            """;

    private final Redis redis;
    private final String prefix;
    private volatile String sha;

    RedisTokenBucket(Redis redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    Decision take(String key, Limit limit) {
        List<String> keys = List.of(prefix + key);
        List<String> args = List.of(String.valueOf(limit.capacity()), String.valueOf(limit.refillPerMs()));
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
            return new Decision(number(r.get(0)) == 1, limit.capacity(), (int) number(r.get(1)), number(r.get(2)),
                                number(r.get(3)));
        }
    }

    private static long number(Object o) {
        return o instanceof Long l ? l : Long.parseLong(new String((byte[]) o, StandardCharsets.UTF_8));
    }
}
