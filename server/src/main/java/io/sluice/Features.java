package io.sluice;

import java.nio.file.Path;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.audio.Audio;
import io.sluice.cache.CacheService;
import io.sluice.cache.Caches;
import io.sluice.infra.Invalidations;
import io.sluice.embeddings.Embeddings;
import io.sluice.embeddings.EmbeddingsService;
import io.sluice.fileproxy.CachedFile;
import io.sluice.fileproxy.FileProxy;
import io.sluice.limits.Admission;
import io.sluice.limits.BulkheadSettings;
import io.sluice.limits.Bulkheads;
import io.sluice.limits.Deadlines;
import io.sluice.llm.ChatCompletionsService;
import io.sluice.llm.ChatRequestValidator;
import io.sluice.llm.ChatRouter;
import io.sluice.llm.Deployments;
import io.sluice.llm.Completer;
import io.sluice.llm.LlmMeters;
import io.sluice.llm.ModelCatalog;
import io.sluice.llm.ProviderBulkheads;
import io.sluice.observe.ServerMeters;
import io.sluice.observe.StatusService;
import io.sluice.observe.monitor.ResourceMonitor;
import io.sluice.podcasts.Podcasts;
import io.sluice.podcasts.PodcastsService;
import io.sluice.podcasts.SpeechVoice;
import io.sluice.ratelimit.UpstreamLimiter;
import io.sluice.scenes.Scene;
import io.sluice.respcache.ResponseCache;
import io.sluice.scenes.SceneStore;
import io.sluice.scenes.ScenesService;
import io.sluice.sessions.Session;
import io.sluice.sessions.SessionChat;
import io.sluice.sessions.SessionStore;
import io.sluice.llm.usage.Prices;
import io.sluice.llm.usage.UsageWriter;
import io.sluice.spend.Spend;
import io.sluice.spend.UsageService;
import io.sluice.sessions.SessionsService;
import io.sluice.tasks.TaskDispatcher;
import io.sluice.tasks.TaskRunner;
import io.sluice.tasks.Tasks;
import io.sluice.tasks.TasksService;
import io.sluice.tracing.Tracing;

/** The features wired on the infrastructure, in dependency order: limits, LLM chat, sessions and tasks, the gate. */
record Features(Admission admission,
                Deadlines deadlines,
                StatusService status,
                Gate gate,
                ChatCompletionsService chat,
                SessionsService sessions,
                TasksService tasks,
                ScenesService scenes,
                CacheService cache,
                Tracing tracing,
                EmbeddingsService embeddings,
                FileProxy files,
                Audio audio,
                PodcastsService podcasts,
                UsageService usage,
                Runnable afterListening) {

    /** The LLM parts that chat, sessions and tasks share. */
    private record Llm(ModelCatalog catalog, ChatRouter router, ChatRequestValidator validator, UsageWriter usage,
                       Bulkheads bulkheads, Prices prices) {
    }

    static Features wire(Settings s, Infrastructure infra, ServerMeters meters, Deque<AutoCloseable> resources) {
        Deadlines deadlines = new Deadlines();
        resources.push(deadlines);
        Admission admission = new Admission(s.admission());
        admission.registerMeters(meters.registry());
        infra.db().registerMeters(meters.registry());   // the read replica's split, when one is configured

        // One invalidation subscription per instance, shared by the credential caches and the two-level caches;
        // listeners register while features are wired, and it starts at the end.
        Invalidations invalidations = new Invalidations(infra.redis());
        resources.push(invalidations);
        Caches caches = new Caches(s.cache(), infra.redis(), invalidations, meters.registry());
        resources.push(caches);
        Llm llm = llm(s, infra, meters, resources);
        // /v1/embeddings and the response cache (off unless a model's cache.mode says otherwise).
        Embeddings embeddings = new Embeddings(s.embeddings(), llm.bulkheads().get("embeddings"), meters.registry());
        resources.push(embeddings);
        // Spend: key scopes (allow-list, tokens per minute) and budgets on every LLM call made for a caller
        // (chat completions, session and scene chats, tasks, podcast scripts), costs in metrics.
        Spend spend = new Spend(s.spend(), llm.prices(), s.usage().currency(), infra.db(), infra.redis(), invalidations,
                                meters.registry());
        resources.push(spend);
        ChatCompletionsService chat = new ChatCompletionsService(admission, llm.catalog(), llm.validator(), llm.router(),
                llm.usage(), s.llm().pingInterval(), ResponseCache.create(s.responseCache(), infra.redis(), embeddings, meters.registry()),
                spend);
        SessionStore sessionStore = new SessionStore(infra.db(), caches.create("sessions", Session.class, v -> true));
        SessionChat sessionChat = new SessionChat(sessionStore, llm.usage(), llm.catalog(), llm.router(),
                                                  admission, s.sessions(), s.llm(), spend);

        // Speech and transcription (/v1/audio/*) under the tts and asr bulkheads; other features render lines via audio.speech().
        Audio audio = new Audio(s.audio(), llm.bulkheads().get("tts"), llm.bulkheads().get("asr"), meters.registry());
        resources.push(audio);

        // Async tasks on a Redis Stream; this instance runs the API, the workers, or both (tasks.role).
        Completer completer = new Completer(llm.catalog(), llm.validator(), llm.router(), llm.usage(), spend);
        // Podcasts: a script from the chat model, its lines through audio.speech() (never more at once than the tts bulkhead), as a task.
        Podcasts podcasts = new Podcasts(s.podcasts(), infra.db(), completer, new SpeechVoice(audio.speech(), s.podcasts().ttsModel()),
                                         audio.speech().maxConcurrent(), s.tasks().maxAttempts());
        TaskDispatcher runners = new TaskDispatcher(
                Map.of(SessionsService.SESSION_CHAT, TaskRunner.of(sessionChat::replyToLatest),
                       Podcasts.KIND, podcasts.runner()),
                TaskRunner.of((task, id) -> completer.complete(task.request(), id, task.owner(), task.keyId())));
        Tasks tasks = new Tasks(infra.db(), infra.redis(), runners, meters, s.tasks(), caches, infra.tracing());
        resources.push(tasks);

        SessionsService sessions = new SessionsService(sessionStore, llm.catalog(), sessionChat, tasks,
                                                       s.sessions().defaultModel(), s.llm().maxContentChars());
        // Users, JWTs and API keys; per-client rate limits shared through Redis; security headers.
        Gate gate = new Gate(s.auth(), s.ratelimit(), s.security(), infra.db(), infra.redis(), invalidations, meters,
                             s.fileProxy()::isPublicPath, spend.budgets());
        resources.push(gate);   // stops the credential-invalidation subscriber before Redis closes
        // CPU, memory, disk, connections, threads and the in-process alerts, sampled off the request path.
        ResourceMonitor monitor = new ResourceMonitor(s.monitoring(), Path.of(s.logging().dir()), meters.registry(),
                () -> !admission.draining() && infra.db().isReachable() && infra.redis().isReachable());
        resources.push(monitor);
        StatusService status = new StatusService(s.app().production(), s.http().maxPayloadSize(), admission,
                                                 infra.db(), infra.redis(), monitor);
        status.section("caches", caches::json);
        status.section("routing", llm.router().deployments()::json);   // targets: breaker state, in flight, latency
        SceneStore scenes = new SceneStore(infra.db(), caches.create("scenes", Scene.class, v -> true));
        FileProxy files = new FileProxy(s.fileProxy(), meters,   // /files/{origin}/...: streamed from allow-listed origins
                s.fileProxy().caches() && s.cache().enabled() ? caches.create("files", CachedFile.class, f -> true) : null);
        resources.push(files);
        invalidations.start();
        return new Features(admission, deadlines, status, gate, chat, sessions, new TasksService(tasks, completer),
                            new ScenesService(scenes, tasks, completer), new CacheService(caches), infra.tracing(),
                            new EmbeddingsService(embeddings), files, audio,
                            new PodcastsService(podcasts, tasks, completer, admission),
                            new UsageService(infra.db(), s.usage().currency()),
                            // start-up: what the first requests need, built once the server listens (not before ready)
                            llm.catalog()::warmUpInBackground);
    }

    /** Providers behind models, a bulkhead per provider around its upstream calls, the adaptive upstream limit. */
    private static Llm llm(Settings s, Infrastructure infra, ServerMeters meters, Deque<AutoCloseable> resources) {
        // bulkheads.llm is the default of each provider's own bulkhead (ProviderBulkheads), not a bulkhead of its own.
        Map<String, BulkheadSettings> services = new LinkedHashMap<>(s.bulkheads());
        BulkheadSettings llmDefaults = services.remove("llm");
        Bulkheads bulkheads = new Bulkheads(services, s.admission().retryAfter());
        bulkheads.registerMeters(meters.registry());
        ProviderBulkheads providerBulkheads = new ProviderBulkheads(s.llm().providers(), llmDefaults, s.admission().retryAfter());
        providerBulkheads.registerMeters(meters.registry());
        ModelCatalog catalog = new ModelCatalog(s.llm(), infra.tracing());
        resources.push(catalog);
        UpstreamLimiter upstreamLimiter = new UpstreamLimiter(s.ratelimit().upstream(), meters);
        upstreamLimiter.track(catalog.providers().keySet());
        // Routing across deployments: each target's circuit breaker, calls in flight and latency (/metrics, Prometheus).
        Deployments deployments = new Deployments(s.llm(), catalog.providers());
        deployments.registerMeters(meters.registry());
        ChatRouter router = new ChatRouter(deployments, providerBulkheads, s.llm(),
                                           new LlmMeters(meters.registry()), upstreamLimiter, infra.tracing());
        Prices prices = prices(s, catalog);   // usage.prices: each usage row carries its cost
        UsageWriter usage = UsageWriter.start(infra.db(), s.usage(), prices);   // closed after HTTP and tasks stop, before the pool
        resources.push(usage);
        usage.registerMeters(meters.registry());
        return new Llm(catalog, router, new ChatRequestValidator(s.llm(), catalog), usage, bulkheads, prices);
    }

    /** The price table, finding a call's upstream model from its public model and the provider that served it. */
    private static Prices prices(Settings s, ModelCatalog catalog) {
        Map<String, String> upstream = new java.util.HashMap<>();
        for (io.sluice.llm.LlmModel m : catalog.models()) {
            for (io.sluice.llm.LlmModel.Target t : m.route()) {
                upstream.putIfAbsent(m.name() + '\0' + t.provider(), t.model());
            }
        }
        return new Prices(s.usage().prices(), (model, provider) -> upstream.get(model + '\0' + provider));
    }
}
