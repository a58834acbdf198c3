package io.sluice.embeddings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * The {@code embeddings:} section. Models are routed like chat models: {@code builtin:<model>}
 * runs in process (no network), {@code <provider>:<upstream-model>} calls an
 * {@code openai-compatible} provider of {@code llm.providers} at {base-url}/embeddings.
 */
public record EmbeddingSettings(int maxBatch, int maxInputChars, Duration timeout, Map<String, Model> models) {

    public static final String BUILTIN = "builtin";
    public static final String MINILM = "all-minilm-l6-v2";

    /** @param baseUrl and {@code apiKey} are the provider's; empty for the built-in model */
    public record Model(String name, String provider, String upstreamModel, String baseUrl, @Secret String apiKey) {
        public boolean builtin() {
            return provider.equals(BUILTIN);
        }

        @Override
        public String toString() {   // never print the key
            return "Model[" + name + ", " + provider + ":" + upstreamModel + "]";
        }
    }

    public static EmbeddingSettings from(ConfigReader c) {
        Map<String, Model> models = new LinkedHashMap<>();
        for (String id : c.names("embeddings.models")) {
            Model m = model(c, id);
            if (models.putIfAbsent(m.name(), m) != null) {
                throw new InvalidConfigException("embeddings.models." + id + ".name", m.name(), "duplicate model name");
            }
        }
        int maxBatch = c.intAtLeast("embeddings.max-batch", 1);
        if (maxBatch > 2048) {
            throw new InvalidConfigException("embeddings.max-batch", String.valueOf(maxBatch), "at most 2048 (OpenAI's limit)");
        }
        return new EmbeddingSettings(maxBatch, c.intAtLeast("embeddings.max-input-chars", 1),
                                     c.duration("embeddings.timeout"), Map.copyOf(models));
    }

    private static Model model(ConfigReader c, String id) {
        String key = "embeddings.models." + id;
        String name = c.stringOr(key + ".name", id).trim();
        String route = c.string(key + ".route").trim();
        int colon = route.indexOf(':');
        if (colon <= 0 || colon == route.length() - 1) {
            throw new InvalidConfigException(key + ".route", route, "must be builtin:" + MINILM + " or provider:upstream-model");
        }
        String provider = route.substring(0, colon).trim();
        String upstream = route.substring(colon + 1).trim();
        if (provider.equals(BUILTIN)) {
            if (!upstream.equals(MINILM)) {
                throw new InvalidConfigException(key + ".route", route, "the one built-in model is " + MINILM);
            }
            return new Model(name, BUILTIN, upstream, "", "");
        }
        String p = "llm.providers." + provider;
        if (!c.exists(p + ".type")) {
            throw new InvalidConfigException(key + ".route", route, "unknown provider '" + provider + "' (llm.providers)");
        }
        if (!"openai-compatible".equals(c.string(p + ".type").trim())) {
            throw new InvalidConfigException(key + ".route", route, "provider '" + provider + "' is not openai-compatible");
        }
        String base = c.string(p + ".base-url").trim().replaceAll("/+$", "");
        return new Model(name, provider, upstream, base, c.stringOr(p + ".api-key", "").trim());
    }
}
