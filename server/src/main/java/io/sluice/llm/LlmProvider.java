package io.sluice.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * One upstream ({@code llm.providers.<name>}): {@code simulated} (built in), {@code openai-compatible}
 * (base URL + API key) or {@code anthropic} (the Messages API; {@code anthropic-version} header and a
 * default {@code max-tokens}, which Anthropic requires on every request).
 * {@code bulkhead} holds the provider's own limits where it sets them (null: {@code bulkheads.llm}'s).
 */
public record LlmProvider(String name,
                          String type,
                          String baseUrl,
                          @Secret String apiKey,
                          Duration latency,
                          int tokensPerSecond,
                          int replyTokens,
                          Limits bulkhead,
                          String anthropicVersion,
                          int defaultMaxTokens) {

    /** The provider's bulkhead settings it overrides; a null field takes the default. */
    public record Limits(Integer maxConcurrent, Integer maxQueue, Duration queueTimeout) {
        static Limits from(ConfigReader c, String key) {
            return new Limits(c.exists(key + ".max-concurrent") ? c.intAtLeast(key + ".max-concurrent", 1) : null,
                              c.exists(key + ".max-queue") ? c.intAtLeast(key + ".max-queue", 0) : null,
                              c.exists(key + ".queue-timeout") ? c.duration(key + ".queue-timeout") : null);
        }
    }

    public static final String SIMULATED = "simulated";
    public static final String OPENAI_COMPATIBLE = "openai-compatible";
    public static final String ANTHROPIC = "anthropic";
    static final String ANTHROPIC_URL = "https://api.anthropic.com/v1";

    public boolean simulated() {
        return type.equals(SIMULATED);
    }

    static LlmProvider from(ConfigReader c, String name) {
        String key = "llm.providers." + name;
        String type = c.oneOf(key + ".type", Set.of(SIMULATED, OPENAI_COMPATIBLE, ANTHROPIC));
        String baseUrl = c.stringOr(key + ".base-url", type.equals(ANTHROPIC) ? ANTHROPIC_URL : "").trim();
        String apiKey = c.stringOr(key + ".api-key", "").trim();
        if (!type.equals(SIMULATED)) {
            if (baseUrl.isEmpty()) {
                throw new InvalidConfigException(key + ".base-url", "", "required for an " + type + " provider");
            }
            try {
                URI uri = URI.create(baseUrl);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(key + ".base-url", baseUrl, "not an http(s) URL");
            }
        }
        Duration latency = c.exists(key + ".latency") ? c.duration(key + ".latency") : Duration.ofMillis(300);
        int tps = c.exists(key + ".tokens-per-second") ? c.intAtLeast(key + ".tokens-per-second", 1) : 50;
        int reply = c.exists(key + ".reply-tokens") ? c.intAtLeast(key + ".reply-tokens", 1) : 60;
        String version = c.stringOr(key + ".anthropic-version", "2023-06-01").trim();
        if (version.isEmpty()) {
            throw new InvalidConfigException(key + ".anthropic-version", version, "must not be empty");
        }
        int maxTokens = c.exists(key + ".max-tokens") ? c.intAtLeast(key + ".max-tokens", 1) : 4096;
        return new LlmProvider(name, type, baseUrl.replaceAll("/+$", ""), apiKey, latency, tps, reply, Limits.from(c, key),
                               version, maxTokens);
    }

    @Override
    public String toString() {   // never print the key
        return "LlmProvider[" + name + ", " + type + ", " + baseUrl + "]";
    }
}
