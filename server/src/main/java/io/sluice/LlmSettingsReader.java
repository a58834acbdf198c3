package io.sluice;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.Settings.Bulkhead;
import io.sluice.Settings.Llm;
import io.sluice.Settings.LlmModel;
import io.sluice.Settings.LlmProvider;

/**
 * Reads the {@code llm:}, {@code bulkheads:} and {@code sessions:} sections. Providers, models and
 * bulkheads are maps keyed by a simple name (not YAML lists), so an environment variable such as
 * {@code LLM_PROVIDERS_OPENAI_API_dash_KEY} can set or add one: Helidon cannot merge an
 * index-keyed override into a YAML list.
 */
final class LlmSettingsReader {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private LlmSettingsReader() {
    }

    static Llm llm(ConfigReader c, Config root) {
        Settings.Upstream upstream = new Settings.Upstream(
                c.duration("llm.upstream.connect-timeout"),
                c.duration("llm.upstream.first-byte-timeout"),
                c.duration("llm.upstream.idle-timeout"),
                c.duration("llm.upstream.total-timeout"),
                c.intAtLeast("llm.upstream.max-connections", 1),
                c.intAtLeast("llm.upstream.max-connections-per-provider", 1));
        Settings.Retry retry = new Settings.Retry(
                c.intAtLeast("llm.retry.max-attempts", 1),
                c.duration("llm.retry.initial-backoff"),
                c.duration("llm.retry.max-backoff"),
                percent(c, "llm.retry.budget-percent"),
                c.intAtLeast("llm.retry.budget-min-retries", 0),
                c.duration("llm.retry.budget-window"));

        Map<String, LlmProvider> providers = new LinkedHashMap<>();
        for (Config node : children(root, "llm.providers")) {
            LlmProvider p = provider(c, root, node.name());
            providers.put(p.name(), p);
        }
        Map<String, LlmModel> models = new LinkedHashMap<>();
        for (Config node : children(root, "llm.models")) {
            LlmModel m = model(c, root, node.name(), providers);
            if (models.putIfAbsent(m.name(), m) != null) {
                throw new InvalidConfigException("llm.models." + node.name() + ".name", m.name(), "duplicate model name");
            }
        }
        if (models.isEmpty()) {
            throw new InvalidConfigException("llm.models", "", "configure at least one model");
        }
        return new Llm(c.intAtLeast("llm.max-tokens-limit", 1),
                       c.intAtLeast("llm.max-content-chars", 1),
                       c.intAtLeast("llm.max-messages", 1),
                       c.duration("llm.ping-interval"),
                       upstream, retry, Collections.unmodifiableMap(providers), Collections.unmodifiableMap(models));
    }

    static Map<String, Bulkhead> bulkheads(ConfigReader c, Config root) {
        Map<String, Bulkhead> result = new LinkedHashMap<>();
        for (Config node : children(root, "bulkheads")) {
            String key = "bulkheads." + name(node.name(), "bulkheads");
            result.put(node.name(), new Bulkhead(node.name(),
                                                 c.intAtLeast(key + ".max-concurrent", 1),
                                                 c.intAtLeast(key + ".max-queue", 0),
                                                 c.duration(key + ".queue-timeout")));
        }
        if (!result.containsKey("llm")) {
            throw new InvalidConfigException("bulkheads.llm", "", "missing: every LLM call passes the llm bulkhead");
        }
        return Collections.unmodifiableMap(result);
    }

    static Settings.Sessions sessions(ConfigReader c, Llm llm) {
        String model = c.string("sessions.default-model").trim();
        if (!llm.models().containsKey(model)) {
            throw new InvalidConfigException("sessions.default-model", model,
                    "not a configured model (llm.models: " + llm.models().keySet() + ")");
        }
        return new Settings.Sessions(model, c.intAtLeast("sessions.history-token-budget", 1),
                                     c.intAtLeast("sessions.history-max-messages", 1));
    }

    private static LlmProvider provider(ConfigReader c, Config root, String name) {
        String key = "llm.providers." + name(name, "llm.providers");
        String type = c.oneOf(key + ".type", Set.of(LlmProvider.SIMULATED, LlmProvider.OPENAI_COMPATIBLE));
        String baseUrl = optional(root, key + ".base-url", "").trim();
        String apiKey = optional(root, key + ".api-key", "").trim();
        if (type.equals(LlmProvider.OPENAI_COMPATIBLE)) {
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
        Duration latency = root.get(key + ".latency").exists() ? c.duration(key + ".latency") : Duration.ofMillis(300);
        int tps = root.get(key + ".tokens-per-second").exists() ? c.intAtLeast(key + ".tokens-per-second", 1) : 50;
        int reply = root.get(key + ".reply-tokens").exists() ? c.intAtLeast(key + ".reply-tokens", 1) : 60;
        return new LlmProvider(name, type, baseUrl.replaceAll("/+$", ""), apiKey, latency, tps, reply);
    }

    /** {@code route: "provider:upstream-model, provider:upstream-model"}; split at the first ':' (Ollama tags have one). */
    private static LlmModel model(ConfigReader c, Config root, String id, Map<String, LlmProvider> providers) {
        String key = "llm.models." + name(id, "llm.models");
        String name = optional(root, key + ".name", id).trim();
        String route = c.string(key + ".route");
        List<LlmModel.Target> targets = new ArrayList<>();
        for (String part : route.split(",")) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon <= 0 || colon == p.length() - 1) {
                throw new InvalidConfigException(key + ".route", route, "each entry must be provider:upstream-model");
            }
            String provider = p.substring(0, colon).trim();
            if (!providers.containsKey(provider)) {
                throw new InvalidConfigException(key + ".route", route,
                        "unknown provider '" + provider + "' (llm.providers: " + providers.keySet() + ")");
            }
            targets.add(new LlmModel.Target(provider, p.substring(colon + 1).trim()));
        }
        if (name.isEmpty() || name.length() > 128) {
            throw new InvalidConfigException(key + ".name", name, "must be 1 to 128 characters");
        }
        return new LlmModel(name, List.copyOf(targets));
    }

    private static List<Config> children(Config root, String key) {
        Config node = root.get(key);
        if (!node.exists()) {
            return List.of();
        }
        return node.asNodeList().orElseThrow(() -> new InvalidConfigException(key, "", "must be a map of named entries"));
    }

    private static String name(String name, String parent) {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidConfigException(parent + "." + name, name,
                    "a name must be lower-case letters, digits, '-' or '_' (put a model's public name in `name:`)");
        }
        return name;
    }

    private static String optional(Config root, String key, String def) {
        return root.get(key).asString().orElse(def);
    }

    private static int percent(ConfigReader c, String key) {
        int n = c.intAtLeast(key, 0);
        if (n > 100) {
            throw new InvalidConfigException(key, String.valueOf(n), "must be between 0 and 100");
        }
        return n;
    }
}
