package io.sluice.ratelimit;

import java.util.List;
import java.util.function.Function;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.Tag;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.limits.AdmissionFilter;
import io.sluice.observe.ServerMeters;

/**
 * One token per API request from a bucket named by {@code scope} (client IP, or API key / user).
 * Sets X-RateLimit-* on every limited response; over the limit answers 429 with Retry-After.
 * Health, metrics and probes are never limited. A {@code keyOf} answering null skips the check.
 */
public final class RateLimitFilter implements Filter {
    private final String scope;
    private final RateLimiter limiter;
    private final Limit limit;
    private final Function<RoutingRequest, String> keyOf;
    private final Counter rejected;

    public RateLimitFilter(String scope, RateLimiter limiter, Limit limit, Function<RoutingRequest, String> keyOf,
                           ServerMeters meters) {
        this.scope = scope;
        this.limiter = limiter;
        this.limit = limit;
        this.keyOf = keyOf;
        this.rejected = meters.registry().getOrCreate(Counter.builder("sluice.ratelimit.rejected")
                .description("requests refused with 429 by the per-client rate limits")
                .tags(List.of(Tag.create("scope", scope))));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String key = AdmissionFilter.isOperational(req.path().path()) ? null : keyOf.apply(req);
        if (key == null) {
            chain.proceed();
            return;
        }
        Decision d = limiter.take(scope + ":" + key, limit);
        d.writeHeaders(res);
        if (!d.allowed()) {
            rejected.increment();
            throw d.rejection(scope);
        }
        chain.proceed();
    }
}
