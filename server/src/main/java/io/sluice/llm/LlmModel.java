package io.sluice.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/** A public model name ({@code llm.models.<id>}) and where it is served, in fallback order. */
public record LlmModel(String name, List<Target> route) {

    public record Target(String provider, String model) {
    }

    /** {@code route: "provider:upstream-model, provider:upstream-model"}; split at the first ':' (Ollama tags have one). */
    static LlmModel from(ConfigReader c, String id, Set<String> providers) {
        String key = "llm.models." + id;
        String name = c.stringOr(key + ".name", id).trim();
        String route = c.string(key + ".route");
        List<Target> targets = new ArrayList<>();
        for (String part : route.split(",")) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon <= 0 || colon == p.length() - 1) {
                throw new InvalidConfigException(key + ".route", route, "each entry must be provider:upstream-model");
            }
            String provider = p.substring(0, colon).trim();
            if (!providers.contains(provider)) {
                throw new InvalidConfigException(key + ".route", route,
                        "unknown provider '" + provider + "' (llm.providers: " + providers + ")");
            }
            targets.add(new Target(provider, p.substring(colon + 1).trim()));
        }
        if (name.isEmpty() || name.length() > 128) {
            throw new InvalidConfigException(key + ".name", name, "must be 1 to 128 characters");
        }
        return new LlmModel(name, List.copyOf(targets));
    }
}
