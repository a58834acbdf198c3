package io.sluice;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.sluice.admission.Admission;
import io.sluice.admission.AdmissionFilter;
import io.sluice.admission.Deadlines;
import io.sluice.auth.AuthSettings;
import io.sluice.ratelimit.RateLimitSettings;
import io.sluice.ratelimit.UpstreamLimiter;
import io.helidon.webserver.http1.Http1Config;
import io.sluice.security.HeaderDeadline;
import io.sluice.security.SecuritySettings;
import io.sluice.bulkhead.Bulkheads;
import io.sluice.diag.DiagnosticsService;
import io.sluice.http.ErrorMapper;
import io.sluice.http.JsonDirectHandler;
import io.sluice.infra.Database;
import io.sluice.infra.Embedded;
import io.sluice.infra.Redis;
import io.sluice.llm.ChatCompletionsService;
import io.sluice.llm.ChatRequestValidator;
import io.sluice.llm.ChatRouter;
import io.sluice.llm.Completer;
import io.sluice.llm.LlmMeters;
import io.sluice.llm.ModelCatalog;
import io.sluice.llm.usage.UsageSettings;
import io.sluice.llm.usage.UsageWriter;
import io.sluice.observe.AccessLogFilter;
import io.sluice.observe.HealthChecks;
import io.sluice.observe.Logs;
import io.sluice.observe.ServerMeters;
import io.sluice.observe.StatusService;
import io.sluice.scenes.SceneStore;
import io.sluice.scenes.ScenesService;
import io.sluice.tasks.TaskRunner;
import io.sluice.tasks.TaskSettings;
import io.sluice.tasks.Tasks;
import io.sluice.tasks.TasksService;
import io.sluice.sessions.SessionChat;
import io.sluice.sessions.SessionStore;
import io.sluice.sessions.SessionsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice: infrastructure, features and the web server, wired by hand. {@link #close()}
 * shuts down in reverse order: drain admitted requests, stop HTTP, close pools, stop embedded servers.
 */
public final class Sluice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sluice.class);

    private final Settings settings;
    private final Admission admission;
    private final WebServer server;
    private final Deque<AutoCloseable> resources;

    private Sluice(Settings settings, Admission admission, WebServer server, Deque<AutoCloseable> resources) {
        this.settings = settings;
        this.admission = admission;
        this.server = server;
        this.resources = resources;
    }

    public static Sluice start(Config config) {
        Settings settings = Settings.from(config);
        Logs.configure(settings.logging());
        AutoCloseable accessLog = Logs.asyncAccessLog(io.sluice.observe.AccessLogSettings.from(new ConfigReader(config)));
        FeatureSettings features = FeatureSettings.from(config, settings);
        AuthSettings authSettings = features.auth();
        RateLimitSettings limits = features.limits();
        SecuritySettings security = features.security();
        TaskSettings taskSettings = features.tasks();
        Gate.warnAboutAuth(authSettings);
        Deque<AutoCloseable> resources = new ArrayDeque<>();   // closed last-in, first-out
        resources.push(accessLog);                             // flushed last: the final access lines
        try {
            Database db = Database.open(settings.database(), postgresUrl(settings.database(), resources));
            resources.push(db);
            Redis redis = Redis.open(settings.redis(), redisUrl(settings.redis(), resources));
            resources.push(redis);
            if (!redis.isReachable()) {
                throw new IllegalStateException("redis is not reachable; check redis.url / REDIS_URL");
            }
            Deadlines deadlines = new Deadlines();
            resources.push(deadlines);
            Admission admission = new Admission(settings.admission());

            MeterRegistry registry = MetricsFactory.getInstance()
                    .globalRegistry(MetricsConfig.builder().config(config.get("metrics")).virtualThreadsEnabled(true).build());
            ServerMeters meters = new ServerMeters(registry);
            resources.push(meters);
            meters.registerAdmission(admission);
            meters.registerPools(db, redis);

            // LLM chat: providers behind models, the llm bulkhead around every upstream call, sessions in PostgreSQL.
            Bulkheads bulkheads = new Bulkheads(settings.bulkheads(), settings.admission().retryAfter());
            bulkheads.registerMeters(meters);
            ModelCatalog catalog = new ModelCatalog(settings.llm());
            resources.push(catalog);
            UpstreamLimiter upstreamLimiter = new UpstreamLimiter(limits.upstream(), meters);
            upstreamLimiter.track(catalog.providers().keySet());
            ChatRouter router = new ChatRouter(catalog.providers(), bulkheads.get("llm"), settings.llm(), new LlmMeters(registry),
                                               upstreamLimiter);
            UsageWriter usage = UsageWriter.start(db, UsageSettings.from(new ConfigReader(config)));   // closed after HTTP stops, before the pool
            resources.push(usage);
            usage.registerMeters(registry);
            SessionStore sessionStore = new SessionStore(db);
            ChatRequestValidator validator = new ChatRequestValidator(settings.llm(), catalog);
            ChatCompletionsService chat = new ChatCompletionsService(admission, catalog, validator, router, usage,
                                                                     settings.llm().pingInterval());
            SessionChat sessionChat = new SessionChat(sessionStore, usage, catalog, router, admission,
                                                      settings.sessions(), settings.llm());

            // Async tasks on a Redis Stream; this instance runs the API, the workers, or both (tasks.role).
            Completer completer = new Completer(catalog, validator, router, usage);
            TaskRunner chatTasks = TaskRunner.of(completer::complete);
            TaskRunner sessionTasks = TaskRunner.of(sessionChat::replyToLatest);
            Tasks tasks = new Tasks(db, redis,
                    task -> (task.kind().equals(SessionsService.SESSION_CHAT) ? sessionTasks : chatTasks).run(task),
                    meters, taskSettings);
            resources.push(tasks);
            SessionsService sessions = new SessionsService(sessionStore, catalog, sessionChat, tasks,
                    settings.sessions().defaultModel(), settings.llm().maxContentChars());

            // Users, JWTs and API keys; per-client rate limits shared through Redis; security headers.
            Gate gate = new Gate(authSettings, limits, security, db, redis, meters);
            HeaderDeadline headerDeadline = new HeaderDeadline(security.headerTimeout());
            resources.push(headerDeadline);

            StatusService status = new StatusService(settings, admission, db, redis);
            ErrorMapper errors = new ErrorMapper();
            WebServer server = WebServer.builder()
                    .config(config.get("server"))
                    .featuresDiscoverServices(false)
                    .shutdownHook(false)                  // Main's hook drains first, then stops in order
                    .directHandlers(JsonDirectHandler.all())
                    // The HTTP/1.1 settings from config, plus the header deadline (slowloris).
                    .protocols(java.util.List.of(Http1Config.builder()
                            .config(config.get("server.protocols.http_1_1"))
                            .addReceiveListener(headerDeadline)
                            .build()))
                    .addFeature(ObserveFeature.just(
                            HealthObserver.builder().details(true).useSystemServices(false)
                                    .addChecks(HealthChecks.all(db, redis, admission).toArray(io.helidon.health.HealthCheck[]::new))
                                    .build(),
                            MetricsObserver.builder().meterRegistry(registry).build()))
                    .routing(r -> {
                        r.addFilter(new AccessLogFilter(errors, meters));
                        gate.filters(r);   // security headers, CORS, per-IP limit, auth, per-client limit
                        r.addFilter(new AdmissionFilter(admission, deadlines, settings.admission().requestDeadline()))
                         .error(Throwable.class, errors)
                         .register(status);
                        gate.services(r);
                        if (taskSettings.api()) {
                            r.register("/v1/sessions", sessions)
                             .register("/v1/tasks", new TasksService(tasks, completer))
                             .register("/v1", chat)
                             .register("/api/llmchat", new ScenesService(new SceneStore(db), tasks, completer));
                        }
                        if (settings.diagnosticsEnabled()) {
                            r.register("/diag", new DiagnosticsService(admission));
                        }
                    })
                    .build()
                    .start();
            status.port(server.port());
            LOG.info("Sluice {} listening on http://{}:{} (admission: {} requests / {} streams, queue timeout {} ms)",
                     StatusService.VERSION, settings.http().host(), server.port(),
                     settings.admission().maxConcurrentRequests(), settings.admission().maxConcurrentStreaming(),
                     settings.admission().queueTimeout().toMillis());
            return new Sluice(settings, admission, server, resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static String postgresUrl(Settings.Database s, Deque<AutoCloseable> resources) {
        if (!s.embedded()) {
            LOG.info("using external PostgreSQL (database.url is set)");
            return s.url();
        }
        Embedded.Handle pg = Embedded.postgres(s.embeddedPort(), Path.of(s.embeddedDataDir()));
        resources.push(pg);
        return pg.url().replace("jdbc:postgresql://", "postgres://postgres:postgres@");
    }

    private static String redisUrl(Settings.Redis s, Deque<AutoCloseable> resources) {
        if (!s.embedded()) {
            LOG.info("using external Redis (redis.url is set)");
            return s.url();
        }
        Embedded.Handle redis = Embedded.redis(s.embeddedPort(), Path.of(s.embeddedDataDir()));
        resources.push(redis);
        return redis.url();
    }

    public int port() {
        return server.port();
    }

    public Settings settings() {
        return settings;
    }

    /** Graceful stop: refuse new requests, let in-flight ones finish (bounded), then release everything. */
    @Override
    public void close() {
        LOG.info("shutting down: draining in-flight requests (up to {} s)", settings.admission().drainTimeout().toSeconds());
        try {
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
