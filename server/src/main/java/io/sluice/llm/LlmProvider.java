package io.sluice.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * One upstream ({@code llm.providers.<name>}): {@code simulated} (built in) or {@code openai-compatible} (base URL + API key).
 * {@code bulkhead} holds the provider's own limits where it sets them (null: {@code bulkheads.llm}'s).
 */
public record LlmProvider(String name,
                          String type,
                          String baseUrl,
                          @Secret String apiKey,
                          Duration latency,
                          int tokensPerSecond,
                          int replyTokens,
                          Limits bulkhead) {

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

    public boolean simulated() {
        return type.equals(SIMULATED);
    }

    static LlmProvider from(ConfigReader c, String name) {
        String key = "llm.providers." + name;
        String type = c.oneOf(key + ".type", Set.of(SIMULATED, OPENAI_COMPATIBLE));
        String baseUrl = c.stringOr(key + ".base-url", "").trim();
        String apiKey = c.stringOr(key + ".api-key", "").trim();
        if (type.equals(OPENAI_COMPATIBLE)) {
            if (baseUrl.isEmpty()) {
                throw new InvalidConfigException(key + ".base-url", "", "required for an openai-compatible provider");
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
        return new LlmProvider(name, type, baseUrl.replaceAll("/+$", ""), apiKey, latency, tps, reply, Limits.from(c, key));
    }

    @Override
    public String toString() {   // never print the key
        return "LlmProvider[" + name + ", " + type + ", " + baseUrl + "]";
    }
}
