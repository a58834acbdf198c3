package io.sluice;

import java.time.Duration;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.sluice.api.OpenApiService;
import io.sluice.audio.AudioService;
import io.sluice.api.RouteTable;
import io.sluice.diag.DiagnosticsService;
import io.sluice.fileproxy.FileProxyService;
import io.sluice.fileproxy.StatsService;
import io.sluice.fileproxy.TraversalFilter;
import io.sluice.http.ErrorMapper;
import io.sluice.http.JsonDirectHandler;
import io.sluice.limits.Admission;
import io.sluice.limits.AdmissionFilter;
import io.sluice.limits.AdmissionSettings;
import io.sluice.limits.Arrivals;
import io.sluice.limits.BodyBudget;
import io.sluice.limits.BodyDeadline;
import io.sluice.limits.ClientConcurrency;
import io.sluice.auth.Principal;
import io.helidon.webserver.http.ServerRequest;
import io.sluice.observe.AccessLogFilter;
import io.sluice.observe.HealthChecks;
import io.sluice.observe.LivenessFilter;
import io.sluice.observe.MetricsEndpointObserver;
import io.sluice.observe.RoutingMappedObserver;
import io.sluice.observe.Logs;
import io.sluice.observe.ServerMeters;
import io.sluice.observe.StatusService;
import io.sluice.ops.OpsService;
import io.sluice.security.HeaderDeadline;
import io.sluice.tracing.ServerSpanFilter;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice, wired by hand in four steps: infrastructure, meters, features, then routing and
 * the web server. {@link #close()} shuts down in reverse order: drain admitted requests, stop HTTP,
 * then the close stack, last-in first-out, which is dependency order: the users of Redis and PostgreSQL
 * (task workers, subscribers, monitors), then the pools, then the embedded servers (no library shutdown
 * hook stops those earlier: see {@code Embedded.redis}).
 */
public final class Sluice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sluice.class);

    private final Settings settings;
    private final Admission admission;
    private final WebServer server;
    private final Deque<AutoCloseable> resources;
    private final RouteTable routes;

    private Sluice(Settings settings, Admission admission, WebServer server, Deque<AutoCloseable> resources, RouteTable routes) {
        this.routes = routes;
        this.settings = settings;
        this.admission = admission;
        this.server = server;
        this.resources = resources;
    }

    public static Sluice start(Config config) {
        return start(config, false);
    }

    /**
     * As {@link #start(Config)}; {@code global} (Main, once per JVM; tests start several servers in one JVM,
     * each from its own configuration) also makes {@code config} Helidon's global configuration.
     */
    static Sluice start(Config config, boolean global) {
        StartupPhases phases = new StartupPhases();
        Settings read = phases.time("config", () -> Settings.from(config));
        Logs.configure(read.logging());
        Settings settings = OpenFileBudget.fit(read, OpenFileBudget.processLimit());   // connections within ulimit -n
        Deque<AutoCloseable> resources = new ArrayDeque<>();   // closed last-in, first-out
        resources.push(Logs.asyncAccessLog(settings.accessLog()));   // flushed last: the final access lines
        Gate.warnAboutAuth(settings.auth());
        try {
            Tracing tracing = Tracing.start(settings.tracing());   // Tracing.OFF unless tracing.enabled
            resources.push(tracing);   // closed after everything else: the last spans are sent
            MeterRegistryStart registry = MeterRegistryStart.begin(config, global, phases);   // beside PostgreSQL and Redis
            Infrastructure infra;
            try {
                infra = phases.time("infrastructure", () -> Infrastructure.start(settings, tracing, resources, phases));
            } catch (RuntimeException e) {
                registry.awaitQuietly();
                throw e;
            }
            ServerMeters meters = meters(registry.join(), infra, resources);
            Features features = phases.time("wiring", () -> Features.wire(settings, infra, meters, resources));
            RouteTable routes = new RouteTable();   // what the routing is built with, checked against /openapi
            WebServer server = phases.time("listen", () -> server(config, settings, infra, features, meters, resources, routes));
            features.status().port(server.port());
            features.afterListening().run();   // start-up: LLM clients built in the background, after listening
            LOG.info("Sluice {} listening on http://{}:{} (admission: {} requests / {} streams, queue timeout {} ms)",
                     StatusService.VERSION, settings.http().host(), server.port(),
                     settings.admission().maxConcurrentRequests(), settings.admission().maxConcurrentStreaming(),
                     settings.admission().queueTimeout().toMillis());
            // PostgreSQL and Redis start side by side: infrastructure is the longer of postgres + database and redis.
            LOG.info(phases.summary("config", "infrastructure", "postgres", "database", "redis", "meters", "wiring", "listen"));
            return new Sluice(settings, features.admission(), server, resources, routes);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static ServerMeters meters(MeterRegistry registry, Infrastructure infra, Deque<AutoCloseable> resources) {
        ServerMeters meters = new ServerMeters(registry);
        resources.push(meters);
        meters.registerPools(infra.db(), infra.redis());
        return meters;
    }

    private static WebServer server(Config config, Settings settings, Infrastructure infra, Features features,
                                    ServerMeters meters, Deque<AutoCloseable> resources, RouteTable routes) {
        Arrivals arrivals = new Arrivals();
        HeaderDeadline headerDeadline = new HeaderDeadline(settings.security().headerTimeout(), arrivals);
        resources.push(headerDeadline);
        AdmissionSettings a = settings.admission();
        BodyDeadline bodies = new BodyDeadline(a.bodyTimeout(), a.bodyMinRate(), settings.http().maxPayloadSize(),
                                                new BodyBudget(a.bodyBufferBudget()));
        resources.push(bodies);
        List<HealthCheck> checks = HealthChecks.all(infra.db(), infra.redis(), features.admission());
        return WebServer.builder()
                .config(config.get("server"))
                .maxTcpConnections(settings.http().maxTcpConnections())   // lowered to the open-file limit if needed
                .featuresDiscoverServices(false)
                .shutdownHook(false)                  // Main's hook drains first, then stops in order
                .directHandlers(JsonDirectHandler.all())
                // The HTTP/1.1 settings from config, plus the header deadline (slowloris).
                .protocols(List.of(Http1Config.builder()
                        .config(config.get("server.protocols.http_1_1"))
                        .addReceiveListener(headerDeadline)
                        .build()))
                .addFeature(ObserveFeature.just(
                        new RoutingMappedObserver(HealthObserver.builder().details(true).useSystemServices(false)
                                .addChecks(checks.toArray(HealthCheck[]::new))
                                .build(), routes::recording),
                        new RoutingMappedObserver(MetricsEndpointObserver.of(
                                MetricsObserver.builder().meterRegistry(meters.registry()).build()), routes::recording)))
                .routing(r -> routing(routes.recording(r), settings, features, meters, HealthChecks.liveness(checks), bodies, arrivals))
                .build()
                .start();
    }

    /** Filters in the order a request meets them, then the services. */
    private static void routing(HttpRouting.Builder r, Settings settings, Features features, ServerMeters meters,
                                List<HealthCheck> liveness, BodyDeadline bodies, Arrivals arrivals) {
        ErrorMapper errors = new ErrorMapper();
        // The liveness probe answered from memory before anything else (LivenessFilter says why).
        r.addFilter(new LivenessFilter(liveness, features.gate().probeHeaders()));
        if (features.tracing().enabled()) {   // off: not even a filter on the path
            r.addFilter(new ServerSpanFilter(features.tracing(), AdmissionFilter::isOperational));
        }
        r.addFilter(new AccessLogFilter(errors, meters, features.gate().clients(), settings.accessLog(),
                                        features.tracing().enabled()));
        if (!settings.fileProxy().origins().isEmpty()) {
            r.addFilter(new TraversalFilter());   // 400 before the router normalises /files/a/../x away
        }
        features.gate().filters(r);   // security headers, CORS, per-IP limit, auth, per-client limit
        AdmissionSettings a = settings.admission();
        if (settings.auth().enabled()) {   // auth off: one local admin, no client identity to cap
            r.addFilter(new ClientConcurrency(a.maxPerClient(), a.maxPerIp(), Sluice::credential, a.retryAfter(),
                                                 features.gate().clients()));
        }
        r.addFilter(new AdmissionFilter(features.admission(), features.deadlines(), a.requestDeadline(), bodies, arrivals,
                                         features.tracing()))
         .error(Throwable.class, errors)
         .register(features.status())
         .register(new StatsService(features.files()));
        features.gate().services(r);
        r.register("/openapi", new OpenApiService())
         .register("/ops", new OpsService(features.gate().clients()));
        if (settings.tasks().api()) {
            r.register("/v1/sessions", features.sessions())
             .register("/v1/tasks", features.tasks())
             .register("/v1", features.chat())
             .register("/v1", features.embeddings())
             .register("/v1", features.usage())   // GET /v1/usage: spend per day, model and key
             .register("/api/llmchat", features.scenes())
             .register("/api/cache", features.cache())
             .register("/files", new FileProxyService(features.files()))
             .register("/v1/audio", new AudioService(features.audio()))   // speech and transcriptions
             .register("/v1/podcasts", features.podcasts());              // two-host podcasts made by tasks
        }
        if (settings.diagnostics().enabled()) {
            r.register("/diag", new DiagnosticsService(features.admission()));
        }
    }

    /** The caller's credential for the per-client cap; null without one (login, register: capped per IP). */
    private static String credential(ServerRequest req) {
        return req.context().get(Principal.class).map(Principal::clientKey).orElse(null);
    }

    public int port() {
        return server.port();
    }

    /** Every route the running server was built with (method and path template). */
    public RouteTable routes() {
        return routes;
    }

    public Settings settings() {
        return settings;
    }

    /** Graceful stop: refuse new requests, let in-flight ones finish (bounded), then release everything. */
    @Override
    public void close() {
        try {
            Duration delay = settings.admission().drainDelay();
            if (delay.isPositive()) {   // load balancers see readiness fail and stop sending before we refuse anything
                admission.announceLeaving();
                LOG.info("shutting down: not ready, still serving for {} ms (admission.drain-delay)", delay.toMillis());
                Thread.sleep(delay);
            }
            LOG.info("shutting down: draining in-flight requests (up to {} s)", settings.admission().drainTimeout().toSeconds());
            if (!admission.drain(settings.admission().drainTimeout())) {
                LOG.warn("drain timeout passed with {} request(s) still in flight", admission.requests().inFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        closeAll(resources);
        LOG.info("shutdown complete");
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("error while closing {}: {}", r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
