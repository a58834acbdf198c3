package io.sluice.llm;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * The {@code llm:} section: request limits, the upstream client, retries, providers and models.
 * Providers and models are maps keyed by a simple name (see {@link ConfigReader#names}).
 */
public record LlmSettings(int maxTokensLimit,
                          int maxContentChars,
                          int maxMessages,
                          Duration pingInterval,
                          Duration clientProbeInterval,
                          boolean asyncDefault,
                          Upstream upstream,
                          Retry retry,
                          Breaker breaker,
                          Map<String, LlmProvider> providers,
                          Map<String, LlmModel> models) {

    /**
     * @param firstByteTimeout          streamed: the wait for the first chunk
     * @param answerFirstByteTimeout    not streamed: the wait for the answer to start (its status line)
     * @param maxIdleConnectionsPerProvider keep-alive connections kept idle per provider for reuse; the rest are
     *                                  closed when released (Helidon watches each idle one with a 100 ms read loop)
     * @param maxSseLine                the longest line an upstream stream may send; longer is an invalid response
     */
    public record Upstream(Duration connectTimeout,
                           Duration firstByteTimeout,
                           Duration answerFirstByteTimeout,
                           Duration idleTimeout,
                           Duration totalTimeout,
                           int maxConnections,
                           int maxConnectionsPerProvider,
                           int maxIdleConnectionsPerProvider,
                           int maxSseLine) {
    }

    public record Retry(int maxAttempts,
                        Duration initialBackoff,
                        Duration maxBackoff,
                        int budgetPercent,
                        int budgetMinRetries,
                        Duration budgetWindow) {
    }

    /**
     * {@code llm.breaker}: a target opens when {@code consecutiveFailures} calls in a row failed, or
     * when at least {@code minCalls} calls in the {@code window} saw {@code failurePercent} % fail;
     * open, it gets no calls for {@code cooldown}, then {@code halfOpenProbes} probe calls, which must
     * all succeed to close it.
     */
    public record Breaker(boolean enabled,
                          int consecutiveFailures,
                          int failurePercent,
                          int minCalls,
                          Duration window,
                          Duration cooldown,
                          int halfOpenProbes) {
    }

    public static LlmSettings from(ConfigReader c) {
        Upstream upstream = new Upstream(c.duration("llm.upstream.connect-timeout"),
                                         c.duration("llm.upstream.first-byte-timeout"),
                                         c.duration("llm.upstream.answer-first-byte-timeout"),
                                         c.duration("llm.upstream.idle-timeout"),
                                         c.duration("llm.upstream.total-timeout"),
                                         c.intAtLeast("llm.upstream.max-connections", 1),
                                         c.intAtLeast("llm.upstream.max-connections-per-provider", 1),
                                         c.intAtLeast("llm.upstream.max-idle-connections-per-provider", 1),
                                         sseLine(c, "llm.upstream.max-sse-line"));
        Retry retry = new Retry(c.intAtLeast("llm.retry.max-attempts", 1),
                                c.duration("llm.retry.initial-backoff"),
                                c.duration("llm.retry.max-backoff"),
                                percent(c, "llm.retry.budget-percent"),
                                c.intAtLeast("llm.retry.budget-min-retries", 0),
                                c.duration("llm.retry.budget-window"));
        Breaker breaker = new Breaker(c.bool("llm.breaker.enabled"),
                                      c.intAtLeast("llm.breaker.consecutive-failures", 1),
                                      percent(c, "llm.breaker.failure-percent"),
                                      c.intAtLeast("llm.breaker.min-calls", 1),
                                      c.duration("llm.breaker.window"),
                                      c.duration("llm.breaker.cooldown"),
                                      c.intAtLeast("llm.breaker.half-open-probes", 1));
        Map<String, LlmProvider> providers = new LinkedHashMap<>();
        for (String name : c.names("llm.providers")) {
            providers.put(name, LlmProvider.from(c, name));
        }
        Map<String, LlmModel> models = new LinkedHashMap<>();
        for (String id : c.names("llm.models")) {
            LlmModel m = LlmModel.from(c, id, providers.keySet());
            if (models.putIfAbsent(m.name(), m) != null) {
                throw new InvalidConfigException("llm.models." + id + ".name", m.name(), "duplicate model name");
            }
        }
        if (models.isEmpty()) {
            throw new InvalidConfigException("llm.models", "", "configure at least one model");
        }
        return new LlmSettings(c.intAtLeast("llm.max-tokens-limit", 1),
                               c.intAtLeast("llm.max-content-chars", 1),
                               c.intAtLeast("llm.max-messages", 1),
                               c.duration("llm.ping-interval"),
                               c.duration("llm.client-probe-interval"),
                               c.bool("llm.async-default"),
                               upstream, retry, breaker, Collections.unmodifiableMap(providers), Collections.unmodifiableMap(models));
    }

    /** The same settings with at most {@code n} upstream connections in use (the open-file limit's share). */
    public LlmSettings withMaxConnections(int n) {
        Upstream u = upstream;
        Upstream lowered = new Upstream(u.connectTimeout(), u.firstByteTimeout(), u.answerFirstByteTimeout(), u.idleTimeout(),
                                        u.totalTimeout(), n, u.maxConnectionsPerProvider(), u.maxIdleConnectionsPerProvider(),
                                        u.maxSseLine());
        return new LlmSettings(maxTokensLimit, maxContentChars, maxMessages, pingInterval, clientProbeInterval, asyncDefault,
                               lowered, retry, breaker, providers, models);
    }

    private static int sseLine(ConfigReader c, String key) {
        long n = c.size(key);
        if (n < 1024 || n > (64 << 20)) {
            throw new InvalidConfigException(key, String.valueOf(n), "must be between 1KB and 64MB");
        }
        return (int) n;
    }

    private static int percent(ConfigReader c, String key) {
        int n = c.intAtLeast(key, 0);
        if (n > 100) {
            throw new InvalidConfigException(key, String.valueOf(n), "must be between 0 and 100");
        }
        return n;
    }
}
