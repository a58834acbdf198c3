package io.sluice.ratelimit;

import java.util.List;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.observe.ServerMeters;

/**
 * The two buckets every API request draws from: its client IP's, and its caller's (API key or
 * user). Both can be taken in one Redis round trip; see {@link RedisTokenBucket} for the order and
 * what a refusal leaves taken. Sets X-RateLimit-* from the last bucket looked at (the client's when
 * it was checked); over a limit it answers 429 with Retry-After and counts
 * {@code sluice_ratelimit_rejected{scope}}. A null key skips its bucket.
 */
public final class RequestLimits {
    private static final String[] SCOPES = {"ip", "client"};

    private final RateLimiter limiter;
    private final Limit perIp;
    private final Limit perClient;
    private final List<Limit> both;   // built once, not per request
    private final Counter[] rejected;

    private RequestLimits(RateLimiter limiter, Limit perIp, Limit perClient, Counter[] rejected) {
        this.limiter = limiter;
        this.perIp = perIp;
        this.perClient = perClient;
        this.both = perIp == null || perClient == null ? null : List.of(perIp, perClient);
        this.rejected = rejected;
    }

    public static RequestLimits of(RateLimiter limiter, RateLimitSettings s, ServerMeters meters) {
        Counter[] rejected = new Counter[SCOPES.length];
        for (int i = 0; i < SCOPES.length; i++) {
            rejected[i] = meters.registry().getOrCreate(Counter.builder("sluice.ratelimit.rejected")
                    .description("requests refused with 429 by the per-client rate limits")
                    .tags(List.of(Tag.create("scope", SCOPES[i]))));
        }
        return new RequestLimits(limiter, s.perIp(), s.perClient(), rejected);
    }

    /** Limits switched off (ratelimit.enabled: false): every check passes without a trip. */
    public static RequestLimits off() {
        return new RequestLimits(null, null, null, null);
    }

    /** False when limits are off: callers skip what they would compute only for a check. */
    public boolean active() {
        return limiter != null;
    }

    /**
     * Takes a token from the IP bucket, then the client bucket (either key may be null; {@code client}
     * is already a bucket name such as {@code client:key:<id>}), in at most one round trip.
     */
    public void check(String ip, String client, ServerResponse res) {
        if (limiter == null || ip == null && client == null) {
            return;
        }
        Verdict v;
        if (ip != null && client != null) {
            v = limiter.take(List.of("ip:" + ip, client), both);
        } else if (ip != null) {
            v = new Verdict(0, limiter.take("ip:" + ip, perIp));
        } else {
            v = new Verdict(1, limiter.take(client, perClient));
        }
        Decision d = v.decision();
        d.writeHeaders(res);
        if (!d.allowed()) {
            rejected[v.bucket()].increment();
            throw d.rejection(SCOPES[v.bucket()]);
        }
    }
}
