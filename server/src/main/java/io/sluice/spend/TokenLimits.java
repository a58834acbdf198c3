package io.sluice.spend;

import java.time.Duration;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.infra.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * An API key's tokens per minute, shared by every instance: one counter per key and UTC minute in
 * Redis. Before a call its prompt estimate (chars / 4) is reserved in one round trip (a Lua script
 * that adds it only if it fits); after the call the difference to the real usage is added or given
 * back through the spend writer, off the request path. Over the limit: 429 with OpenAI's
 * {@code x-ratelimit-*-tokens} headers and Retry-After at the next minute. Only keys with a
 * {@code tpm} pay the round trip; a Redis that cannot be reached lets the call through (and says so).
 */
final class TokenLimits {
    private static final Logger LOG = LoggerFactory.getLogger(TokenLimits.class);
    static final HeaderName LIMIT = HeaderNames.create("x-ratelimit-limit-tokens");
    static final HeaderName REMAINING = HeaderNames.create("x-ratelimit-remaining-tokens");
    static final HeaderName RESET = HeaderNames.create("x-ratelimit-reset-tokens");
    // Adds the estimate if it fits in the limit (a first request always fits); returns {granted, used}.
    private static final String RESERVE = """
            local used = tonumber(redis.call('GET', KEYS[1]) or '0')
            local want = tonumber(ARGV[1])
            if used > 0 and used + want > tonumber(ARGV[2]) then return {0, tostring(used)} end
            used = redis.call('INCRBYFLOAT', KEYS[1], want)
            redis.call('EXPIRE', KEYS[1], 120)
            return {1, tostring(used)}""";

    private final Redis redis;
    private final String prefix;
    private final SpendCounters writer;

    TokenLimits(Redis redis, String prefix, SpendCounters writer) {
        this.redis = redis;
        this.prefix = prefix + "tpm:";
        this.writer = writer;
    }

    /** The key's counter for this minute, or null when Redis could not be asked (the call goes through). */
    String reserve(String keyId, int tpm, int estimate, ServerResponse res) {
        long nowMs = System.currentTimeMillis();
        long minute = nowMs / 60_000;
        String key = prefix + keyId + ":" + minute;
        long resetMs = (minute + 1) * 60_000 - nowMs;
        List<Object> answer;
        try (Jedis j = redis.connection()) {
            @SuppressWarnings("unchecked")
            List<Object> a = (List<Object>) j.eval(RESERVE, List.of(key), List.of(Integer.toString(estimate), Integer.toString(tpm)));
            answer = a;
        } catch (RuntimeException e) {
            LOG.warn("tokens-per-minute limit: Redis unreachable ({}); call let through", e.getClass().getSimpleName());
            return null;
        }
        boolean granted = ((Long) answer.get(0)) == 1L;
        long used = (long) Math.ceil(Double.parseDouble((String) answer.get(1)));
        res.header(LIMIT, Integer.toString(tpm));
        res.header(REMAINING, Long.toString(Math.max(0, tpm - used)));
        res.header(RESET, ((resetMs + 999) / 1000) + "s");
        if (!granted) {
            throw new ApiException(ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit reached for this API key on tokens per min (TPM): limit "
                    + tpm + ", used " + used + ", requested " + estimate + "; retry after the reset",
                    Duration.ofMillis(Math.max(1000, resetMs)));
        }
        return key;
    }

    /** After the call: the real prompt and completion tokens replace the estimate (given back when the call failed). */
    void correct(String key, int estimate, int actual) {
        if (key != null && actual != estimate) {
            writer.adjust(key, actual - estimate, 120);
        }
    }
}
