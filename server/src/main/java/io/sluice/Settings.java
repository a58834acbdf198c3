package io.sluice;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.helidon.config.Config;
import io.sluice.config.ConfigReader;

/**
 * Every setting Sluice reads, as typed records, one per config section. Built once at start-up;
 * {@link #from(Config)} validates and throws {@link ConfigReader.InvalidConfigException} naming the key.
 */
public record Settings(App app,
                       Http http,
                       Admission admission,
                       Database database,
                       Redis redis,
                       Logging logging,
                       boolean diagnosticsEnabled,
                       Llm llm,
                       Map<String, Bulkhead> bulkheads,
                       Sessions sessions) {

    public record App(boolean production) {
    }

    /** The few server settings Sluice itself needs; Helidon reads the rest of `server:` directly. */
    public record Http(String host, int port, long maxPayloadSize) {
    }

    public record Admission(int maxConcurrentRequests,
                            int maxConcurrentStreaming,
                            Duration queueTimeout,
                            Duration retryAfter,
                            Duration requestDeadline,
                            Duration drainTimeout) {
    }

    public record Database(String url,
                           String username,
                           String password,
                           boolean pgbouncer,
                           int serverConnections,
                           int replicas,
                           int maxPoolSize,
                           Duration connectionTimeout,
                           Duration socketTimeout,
                           Duration maxLifetime,
                           Duration validationTimeout,
                           int embeddedPort,
                           String embeddedDataDir) {
        public boolean embedded() {
            return url.isBlank();
        }
    }

    public record Redis(String url,
                        int maxTotal,
                        int maxIdle,
                        int minIdle,
                        Duration maxWait,
                        Duration connectTimeout,
                        Duration socketTimeout,
                        int embeddedPort,
                        String embeddedDataDir) {
        public boolean embedded() {
            return url.isBlank();
        }
    }

    public record Logging(String dir, boolean json, long maxFileSize, int maxHistory) {
    }

    /** LLM chat: request limits, the upstream client, retries, providers and models (see config.yaml `llm:`). */
    public record Llm(int maxTokensLimit,
                      int maxContentChars,
                      int maxMessages,
                      Duration pingInterval,
                      Upstream upstream,
                      Retry retry,
                      Map<String, LlmProvider> providers,
                      Map<String, LlmModel> models) {
    }

    public record Upstream(Duration connectTimeout,
                           Duration firstByteTimeout,
                           Duration idleTimeout,
                           Duration totalTimeout,
                           int maxConnections,
                           int maxConnectionsPerProvider) {
    }

    public record Retry(int maxAttempts,
                        Duration initialBackoff,
                        Duration maxBackoff,
                        int budgetPercent,
                        int budgetMinRetries,
                        Duration budgetWindow) {
    }

    /** One upstream: {@code simulated} (built in) or {@code openai-compatible} (base URL + API key). */
    public record LlmProvider(String name,
                              String type,
                              String baseUrl,
                              String apiKey,
                              Duration latency,
                              int tokensPerSecond,
                              int replyTokens) {
        public static final String SIMULATED = "simulated";
        public static final String OPENAI_COMPATIBLE = "openai-compatible";

        public boolean simulated() {
            return type.equals(SIMULATED);
        }

        LlmProvider masked() {
            return new LlmProvider(name, type, baseUrl, apiKey.isEmpty() ? "" : "***", latency, tokensPerSecond, replyTokens);
        }

        @Override
        public String toString() {   // never print the key
            return "LlmProvider[" + name + ", " + type + ", " + baseUrl + "]";
        }
    }

    /** A public model name and where it is served, in fallback order. */
    public record LlmModel(String name, List<Target> route) {
        public record Target(String provider, String model) {
        }
    }

    /** A per-service limit around upstream calls: in flight, waiting, and how long a caller waits. */
    public record Bulkhead(String service, int maxConcurrent, int maxQueue, Duration queueTimeout) {
    }

    public record Sessions(String defaultModel, int historyTokenBudget, int historyMaxMessages) {
    }

    /** A copy safe to print: passwords and credentials in URLs replaced. */
    public Settings masked() {
        Database d = database;
        Database db = new Database(mask(d.url()), d.username(), "***", d.pgbouncer(), d.serverConnections(), d.replicas(),
                                   d.maxPoolSize(), d.connectionTimeout(), d.socketTimeout(), d.maxLifetime(),
                                   d.validationTimeout(), d.embeddedPort(), d.embeddedDataDir());
        Redis r = redis;
        Redis rd = new Redis(mask(r.url()), r.maxTotal(), r.maxIdle(), r.minIdle(), r.maxWait(), r.connectTimeout(),
                             r.socketTimeout(), r.embeddedPort(), r.embeddedDataDir());
        Map<String, LlmProvider> providers = new LinkedHashMap<>();
        llm.providers().forEach((name, p) -> providers.put(name, p.masked()));
        Llm l = new Llm(llm.maxTokensLimit(), llm.maxContentChars(), llm.maxMessages(), llm.pingInterval(),
                        llm.upstream(), llm.retry(), providers, llm.models());
        return new Settings(app, http, admission, db, rd, logging, diagnosticsEnabled, l, bulkheads, sessions);
    }

    private static String mask(String url) {
        return io.sluice.config.Masking.url(url);
    }

    public static Settings from(Config config) {
        ConfigReader c = new ConfigReader(config);
        boolean production = c.oneOf("app.mode", Set.of("development", "production")).equals("production");

        Http http = new Http(c.string("server.host"),
                             c.intAtLeast("server.port", 0),
                             c.intAtLeast("server.max-payload-size", 1));

        Admission admission = new Admission(c.intAtLeast("admission.max-concurrent-requests", 1),
                                            c.intAtLeast("admission.max-concurrent-streaming", 1),
                                            c.duration("admission.queue-timeout"),
                                            c.duration("admission.retry-after"),
                                            c.duration("admission.request-deadline"),
                                            c.duration("admission.drain-timeout"));
        if (admission.maxConcurrentStreaming() > admission.maxConcurrentRequests()) {
            throw new ConfigReader.InvalidConfigException("admission.max-concurrent-streaming",
                    String.valueOf(admission.maxConcurrentStreaming()),
                    "must not exceed admission.max-concurrent-requests (" + admission.maxConcurrentRequests()
                            + "): every stream is also a request");
        }

        Database database = new Database(c.string("database.url").trim(),
                                         c.string("database.username"),
                                         c.string("database.password"),
                                         c.bool("database.pgbouncer"),
                                         c.intAtLeast("database.server-connections", 1),
                                         c.intAtLeast("database.replicas", 1),
                                         c.intAtLeast("database.max-pool-size", 1),
                                         c.duration("database.connection-timeout"),
                                         c.duration("database.socket-timeout"),
                                         c.duration("database.max-lifetime"),
                                         c.duration("database.validation-timeout"),
                                         c.intAtLeast("database.embedded.port", 0),
                                         c.string("database.embedded.data-dir"));
        if (database.connectionTimeout().compareTo(admission.requestDeadline()) >= 0) {
            throw new ConfigReader.InvalidConfigException("database.connection-timeout",
                    database.connectionTimeout().toString(), "must be shorter than admission.request-deadline");
        }
        if (production && !database.embedded() && database.password().equals("sluice")) {
            throw new ConfigReader.InvalidConfigException("database.password", "***",
                    "the development default is refused in production mode (set DATABASE_PASSWORD)");
        }

        Redis redis = new Redis(c.string("redis.url").trim(),
                                c.intAtLeast("redis.max-total", 1),
                                c.intAtLeast("redis.max-idle", 0),
                                c.intAtLeast("redis.min-idle", 0),
                                c.duration("redis.max-wait"),
                                c.duration("redis.connect-timeout"),
                                c.duration("redis.socket-timeout"),
                                c.intAtLeast("redis.embedded.port", 0),
                                c.string("redis.embedded.data-dir"));
        if (redis.minIdle() > redis.maxTotal()) {
            throw new ConfigReader.InvalidConfigException("redis.min-idle", String.valueOf(redis.minIdle()),
                    "must not exceed redis.max-total (" + redis.maxTotal() + ")");
        }

        Logging logging = new Logging(c.string("logging.dir"),
                                      c.oneOf("logging.format", Set.of("text", "json")).equals("json"),
                                      c.size("logging.max-file-size"),
                                      c.intAtLeast("logging.max-history", 1));

        Llm llm = LlmSettingsReader.llm(c, config);
        return new Settings(new App(production), http, admission, database, redis, logging,
                            c.bool("diagnostics.enabled"), llm, LlmSettingsReader.bulkheads(c, config),
                            LlmSettingsReader.sessions(c, llm));
    }
}
