package io.sluice.ratelimit;

import java.time.Duration;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * One bucket's answer: allowed or not, what is left, and when to come back / when it is full again.
 * For a token spent from a local lease {@code remaining} is approximate (see {@link Lease}).
 */
public record Decision(boolean allowed, int limit, int remaining, long retryAfterMs, long resetMs) {
    // Built once: a String name is looked up (lower-cased, hashed) on every call otherwise.
    private static final HeaderName LIMIT = HeaderNames.create("X-RateLimit-Limit");
    private static final HeaderName REMAINING = HeaderNames.create("X-RateLimit-Remaining");
    private static final HeaderName RESET = HeaderNames.create("X-RateLimit-Reset");

    static Decision open(Limit limit) {
        return new Decision(true, limit.capacity(), limit.capacity(), 0, 0);
    }

    /** X-RateLimit-Limit / -Remaining / -Reset (seconds until the bucket is full). */
    public void writeHeaders(ServerResponse res) {
        res.header(LIMIT, Integer.toString(limit));
        res.header(REMAINING, Integer.toString(Math.max(0, remaining)));
        res.header(RESET, Long.toString((resetMs + 999) / 1000));
    }

    public ApiException rejection(String what) {
        return new ApiException(ErrorCode.RATE_LIMIT_EXCEEDED, what + " rate limit exceeded: "
                + limit + " requests per window; retry later", Duration.ofMillis(Math.max(1000, retryAfterMs)));
    }
}
