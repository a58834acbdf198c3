package io.sluice.respcache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * The response cache: {@code llm.models.<id>.cache.*} per model, defaults and the shared bounds in
 * {@code response-cache:}. Only models whose mode is not {@code off} are in {@link #models()}.
 *
 * @param models         public model name -> its policy (cached models only)
 * @param maxEntries     semantic vectors kept in this instance's index, and at most per bucket in Redis
 * @param embeddingModel the {@code embeddings.models} entry that embeds questions for semantic look-ups
 */
public record ResponseCacheSettings(Map<String, Policy> models, int maxEntries, String embeddingModel) {

    public enum Mode { OFF, EXACT, SEMANTIC }

    /**
     * @param global         one entry for every caller ({@code scope: global}); else per user
     * @param temperatureMax requests sampled above it are neither read nor written (absent temperature is OpenAI's 1)
     * @param threshold      cosine similarity from which a semantic look-up is a hit
     */
    public record Policy(Mode mode, boolean global, Duration ttl, double temperatureMax, double threshold) {
        boolean semantic() {
            return mode == Mode.SEMANTIC;
        }
    }

    public static ResponseCacheSettings from(ConfigReader c, Set<String> embeddingModels) {
        Duration ttl = c.duration("response-cache.ttl");
        double threshold = fraction(c, "response-cache.similarity-threshold", null);
        String embedder = c.string("response-cache.embedding-model").trim();
        Map<String, Policy> models = new LinkedHashMap<>();
        for (String id : c.names("llm.models")) {
            String key = "llm.models." + id + ".cache";
            String name = c.stringOr("llm.models." + id + ".name", id).trim();
            Mode mode = Mode.valueOf(c.exists(key + ".mode") ? c.oneOf(key + ".mode", Set.of("off", "exact", "semantic"))
                                                                     .toUpperCase(Locale.ROOT) : "OFF");
            if (mode == Mode.OFF) {
                continue;
            }
            boolean global = c.exists(key + ".scope") && c.oneOf(key + ".scope", Set.of("user", "global")).equals("global");
            Duration modelTtl = c.exists(key + ".ttl") ? c.duration(key + ".ttl") : ttl;
            double tMax = c.exists(key + ".temperature-max") ? number(c, key + ".temperature-max", 0, 2) : 0;
            double t = fraction(c, key + ".similarity-threshold", threshold);
            if (mode == Mode.SEMANTIC && !embeddingModels.contains(embedder)) {
                throw new InvalidConfigException("response-cache.embedding-model", embedder,
                        "model " + name + " is semantic: name one of embeddings.models " + embeddingModels);
            }
            models.put(name, new Policy(mode, global, modelTtl, tMax, t));
        }
        int max = c.intAtLeast("response-cache.max-entries", 1);
        return new ResponseCacheSettings(Map.copyOf(models), max, embedder);
    }

    private static double fraction(ConfigReader c, String key, Double def) {
        if (def != null && !c.exists(key)) {
            return def;
        }
        return number(c, key, 0, 1);
    }

    private static double number(ConfigReader c, String key, double min, double max) {
        String v = c.string(key).trim();
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidConfigException(key, v, "must be a number from " + min + " to " + max);
    }
}
