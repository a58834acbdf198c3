package io.sluice.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.sluice.infra.Database;
import io.sluice.infra.Redis;

/**
 * Sluice's own meters on the server's registry (served by /observe/metrics in Prometheus text):
 * request latency by route and status, and the PostgreSQL and Redis pools (limits/ registers its own).
 */
public final class ServerMeters implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(300)};

    private final MeterRegistry registry;
    private static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();

    public ServerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A request timer's labels; the record is the map key (no string built per request). */
    private record RequestKey(String method, String route, int status) {
        // Written out: the generated ones go through an invokedynamic bootstrap, slower on this hot path.
        @Override
        public boolean equals(Object o) {
            return o instanceof RequestKey k && status == k.status && method.equals(k.method) && route.equals(k.route);
        }

        @Override
        public int hashCode() {
            return (method.hashCode() * 31 + route.hashCode()) * 31 + status;
        }
    }

    public void recordRequest(String method, String route, int status, long micros) {
        // One timer per (method, route, status), built once. All three come from closed sets: the
        // standard methods (anything else is "other"), the routing patterns, the status codes.
        RequestKey key = new RequestKey(STANDARD_METHODS.contains(method) ? method : "other", route, status);
        Timer timer = requestTimers.get(key);
        if (timer == null) {
            timer = requestTimers.computeIfAbsent(key, k -> registry.getOrCreate(
                    Timer.builder("sluice.http.requests")
                            .description("HTTP requests by method, route and status")
                            .buckets(LATENCY_BUCKETS)
                            // No client-side quantiles: Helidon's default six (0.5 ... 0.999) keep a
                            // rotating HdrHistogram per timer, about 5% of an authenticated GET's CPU
                            // (a CAS-heavy recordValue) and its memory; dashboards, alerts and the
                            // resource monitor all read the buckets (histogram_quantile).
                            .percentiles(new double[0])
                            .tags(List.of(Tag.create("method", k.method()),
                                          Tag.create("route", k.route()),
                                          Tag.create("status", String.valueOf(k.status()))))));
        }
        timer.record(micros, TimeUnit.MICROSECONDS);
    }

    public void registerPools(Database db, Redis redis) {
        List<Tag> dbTags = List.of(Tag.create("pool", "postgres"));
        gauge("sluice.pool.active", "connections in use", dbTags, () -> db.pool().getActiveConnections());
        gauge("sluice.pool.idle", "idle connections", dbTags, () -> db.pool().getIdleConnections());
        gauge("sluice.pool.waiting", "threads waiting for a connection", dbTags, () -> db.pool().getThreadsAwaitingConnection());
        gauge("sluice.pool.max", "pool size", dbTags, () -> db.sizing().size());
        List<Tag> redisTags = List.of(Tag.create("pool", "redis"));
        gauge("sluice.pool.active", "connections in use", redisTags, redis::active);
        gauge("sluice.pool.idle", "idle connections", redisTags, redis::idle);
        gauge("sluice.pool.waiting", "threads waiting for a connection", redisTags, redis::waiting);
        gauge("sluice.pool.max", "pool size", redisTags, redis::maxTotal);
    }

    /** Removes Sluice's meters, so a later server in the same JVM (tests) registers its own. */
    @Override
    public void close() {
        requestTimers.clear();
        registry.meters().stream()
                .filter(m -> m.id().name().startsWith("sluice."))
                .toList()
                .forEach(registry::remove);
    }

    public void gauge(String name, String description, List<Tag> tags, Supplier<? extends Number> value) {
        registry.getOrCreate(Gauge.builder(name, () -> value.get().doubleValue()).description(description).tags(tags));
    }
}
