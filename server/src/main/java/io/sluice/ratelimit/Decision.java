package io.sluice.ratelimit;

import java.time.Duration;

import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** One bucket's answer: allowed or not, what is left, and when to come back / when it is full again. */
public record Decision(boolean allowed, int limit, int remaining, long retryAfterMs, long resetMs) {

    static Decision open(Limit limit) {
        return new Decision(true, limit.capacity(), limit.capacity(), 0, 0);
    }

    /** X-RateLimit-Limit / -Remaining / -Reset (seconds until the bucket is full). */
    public void writeHeaders(ServerResponse res) {
        res.header("X-RateLimit-Limit", String.valueOf(limit));
        res.header("X-RateLimit-Remaining", String.valueOf(Math.max(0, remaining)));
        res.header("X-RateLimit-Reset", String.valueOf((resetMs + 999) / 1000));
    }

    public ApiException rejection(String what) {
        return new ApiException(ErrorCode.RATE_LIMIT_EXCEEDED, what + " rate limit exceeded: "
                + limit + " requests per window; retry later", Duration.ofMillis(Math.max(1000, retryAfterMs)));
    }
}
