package io.sluice.spend;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * {@code sluice_spend_tokens_total{model,key,type}} and {@code sluice_spend_cost_micros_total{model,key,currency}}
 * (millionths of the currency: Helidon's counters count whole numbers),
 * plus budget warnings and refusals. The {@code key} label is the API key's public prefix (or
 * {@code jwt} for a login token, {@code none} without a caller); after {@code spend.max-key-labels}
 * distinct keys the rest count as {@code other}, so a busy installation keeps a bounded number of
 * series. The counters of a (model, key) pair are built once and reused, not looked up per request.
 */
final class SpendMeters {
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final String currency;
    private final int maxKeyLabels;
    private final ConcurrentHashMap<String, Boolean> keyLabels = new ConcurrentHashMap<>();
    // model -> key label -> its counters: two lookups, no key String built per call
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Series>> series = new ConcurrentHashMap<>();
    private final Counter[] softExceeded;
    private final Counter[] refused;

    private record Series(Counter prompt, Counter completion, Counter cached, DoubleAdder cost) {
    }

    SpendMeters(MeterRegistry registry, String currency, int maxKeyLabels) {
        this.registry = registry;
        this.currency = currency;
        this.maxKeyLabels = maxKeyLabels;
        this.softExceeded = scoped("sluice.budget.soft.exceeded", "budgets whose soft limit was crossed (once per budget and period across the cluster)");
        this.refused = scoped("sluice.budget.refused", "requests refused with 429 insufficient_quota by a budget's hard limit");
    }

    void record(String model, String keyLabel, int prompt, int completion, int cached, double cost) {
        String key = label(keyLabel);
        ConcurrentHashMap<String, Series> byKey = series.get(model);
        if (byKey == null) {
            byKey = series.computeIfAbsent(model, m -> new ConcurrentHashMap<>());
        }
        Series s = byKey.get(key);
        if (s == null) {
            s = byKey.computeIfAbsent(key, k -> series(model, key));
        }
        s.prompt().increment(prompt);
        s.completion().increment(completion);
        s.cached().increment(cached);
        if (cost > 0) {
            s.cost().add(cost);
        }
    }

    void softExceeded(boolean key) {
        softExceeded[key ? 0 : 1].increment();
    }

    void refused(boolean key) {
        refused[key ? 0 : 1].increment();
    }

    /** The label for a key: itself while fewer than max-key-labels are in use, else "other". */
    private String label(String keyLabel) {
        if (keyLabels.containsKey(keyLabel)) {
            return keyLabel;
        }
        if (keyLabels.size() < maxKeyLabels) {
            keyLabels.putIfAbsent(keyLabel, Boolean.TRUE);   // may overshoot by a few under a race: still bounded
            return keyLabel;
        }
        return OTHER;
    }

    private Series series(String model, String key) {
        DoubleAdder cost = new DoubleAdder();
        registry.getOrCreate(FunctionalCounter.builder("sluice.spend.cost.micros", cost, c -> Math.round(c.sum() * 1e6))
                .description("what LLM calls cost in millionths of usage.currency, from usage.prices")
                .tags(List.of(Tag.create("model", model), Tag.create("key", key), Tag.create("currency", currency))));
        return new Series(tokens(model, key, "prompt"), tokens(model, key, "completion"), tokens(model, key, "cached"), cost);
    }

    private Counter tokens(String model, String key, String type) {
        return registry.getOrCreate(Counter.builder("sluice.spend.tokens")
                .description("tokens used by LLM calls (prompt, completion, and the cached part of the prompt)")
                .tags(List.of(Tag.create("model", model), Tag.create("key", key), Tag.create("type", type))));
    }

    private Counter[] scoped(String name, String description) {
        return new Counter[] {
                registry.getOrCreate(Counter.builder(name).description(description).tags(List.of(Tag.create("budget", "key")))),
                registry.getOrCreate(Counter.builder(name).description(description).tags(List.of(Tag.create("budget", "user"))))};
    }
}
