package io.sluice.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.limits.Admission;
import io.sluice.http.Json;
import io.sluice.infra.Database;
import io.sluice.infra.Redis;
import io.sluice.observe.monitor.ResourceMonitor;

/**
 * The seed's operator views: {@code GET /health} (cheap: no I/O, for humans and simple probes) and
 * {@code GET /metrics} (limits, current values, pools, timeouts as JSON). Prometheus scrapes
 * /observe/metrics; Kubernetes probes /observe/health/live and /observe/health/ready.
 */
public final class StatusService implements HttpService {
    public static final String VERSION = "0.1.0";

    private final boolean production;
    private final long maxPayloadSize;
    private final Admission admission;
    private final Database db;
    private final Redis redis;
    private final ResourceMonitor monitor;
    private final Instant started = Instant.now();
    private final String installationId;
    private volatile int port;
    private final Map<String, Supplier<Object>> sections = new ConcurrentHashMap<>();

    public StatusService(boolean production, long maxPayloadSize, Admission admission, Database db, Redis redis,
                         ResourceMonitor monitor) {
        this.production = production;
        this.maxPayloadSize = maxPayloadSize;
        this.admission = admission;
        this.db = db;
        this.redis = redis;
        this.monitor = monitor;
        this.installationId = db.withConnection(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT value FROM app_meta WHERE key = 'installation_id'")) {
                return rs.next() ? rs.getString(1) : "";
            }
        });
    }

    /** A feature's own part of {@code GET /metrics} (the caches' counters), computed per request. */
    public void section(String name, Supplier<Object> view) {
        sections.put(name, view);
    }

    /** The bound port is known only after start (port 0 in tests). */
    public void port(int port) {
        this.port = port;
        monitor.port(port);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", this::health)
             .get("/metrics", this::metrics);
    }

    private void health(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", admission.draining() ? "draining" : "healthy");
        body.put("port", port);
        body.put("timestamp", Instant.now().getEpochSecond());
        body.put("uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
        body.put("concurrent_requests", admission.requests().inFlight());
        body.put("concurrent_streaming", admission.streams().inFlight());
        body.put("waiting_requests", admission.requests().waiting());
        body.put("max_concurrent_requests", admission.requests().max());
        body.put("max_concurrent_streaming", admission.streams().max());
        body.put("db_pool_active", db.pool().getActiveConnections());
        body.put("redis_pool_active", redis.active());
        body.put("thread_pool_active", monitor.threadPoolActive());   // virtual threads on a carrier now (README)
        body.put("version", VERSION);
        if (admission.draining()) {
            res.status(Status.SERVICE_UNAVAILABLE_503);
        }
        Json.send(res, body);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server_info", Map.of(
                "version", VERSION,
                "installation_id", installationId,
                "port", port,
                "uptime_seconds", Duration.between(started, Instant.now()).toSeconds(),
                "started_at", started.toString(),
                "mode", production ? "production" : "development",
                "java", Runtime.version().toString()));
        body.put("concurrency", limits());
        Map<String, Object> database = new LinkedHashMap<>(Map.of(
                "url", db.displayUrl(),
                "pgbouncer", db.settings().pgbouncer(),
                "pool_size", db.sizing().size(),
                "pool_size_reason", db.sizing().reason(),
                "active", db.pool().getActiveConnections(),
                "idle", db.pool().getIdleConnections(),
                "waiting", db.pool().getThreadsAwaitingConnection(),
                "connection_timeout_ms", db.settings().connectionTimeout().toMillis()));
        database.put("reads", db.reads());   // null without a read replica
        body.put("database", database);
        body.put("redis", Map.of(
                "max_total", redis.maxTotal(),
                "active", redis.active(),
                "idle", redis.idle(),
                "waiting", redis.waiting(),
                "max_wait_ms", redis.settings().maxWait().toMillis()));
        body.put("requests", Map.of(
                "timeout_seconds", admission.settings().requestDeadline().toSeconds(),
                "queue_timeout_ms", admission.settings().queueTimeout().toMillis(),
                "max_payload_bytes", maxPayloadSize));
        sections.forEach((name, view) -> body.put(name, view.get()));
        body.putAll(monitor.json());   // resources, thread_pool, alerts: the latest background sample
        Json.send(res, body);
    }

    private Map<String, Object> limits() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("max_concurrent_requests", admission.requests().max());
        m.put("current_concurrent_requests", admission.requests().inFlight());
        m.put("waiting_requests", admission.requests().waiting());
        m.put("rejected_requests", admission.requests().rejected());
        m.put("max_concurrent_streaming", admission.streams().max());
        m.put("current_concurrent_streaming", admission.streams().inFlight());
        m.put("waiting_streaming", admission.streams().waiting());
        m.put("rejected_streaming", admission.streams().rejected());
        m.put("draining", admission.draining());
        return m;
    }
}
