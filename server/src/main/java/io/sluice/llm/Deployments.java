package io.sluice.llm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Every target of every model's route, each once however many models share it, and each model's
 * {@link ModelRoute}. Built at start from the configuration; its state is shown in {@code GET /metrics}
 * ({@link #json}) and as Prometheus gauges tagged with the configured provider and upstream model.
 */
public final class Deployments {
    private final Map<String, Deployment> byKey = new LinkedHashMap<>();
    private final Map<String, ModelRoute> routes = new HashMap<>();
    private final Map<String, LlmModel> models;

    public Deployments(LlmSettings s, Map<String, Provider> providers) {
        this.models = s.models();
        for (LlmModel m : s.models().values()) {
            for (LlmModel.Target t : m.route()) {
                byKey.computeIfAbsent(t.key(), k -> new Deployment(t.provider(), t.model(), providers.get(t.provider()),
                        s.breaker().enabled() ? new CircuitBreaker(s.breaker()) : null));
            }
        }
        for (LlmModel m : s.models().values()) {
            routes.put(m.name(), new ModelRoute(m, byKey));
        }
    }

    /** The model's live route; one built on the spot for a model not configured (tests). */
    ModelRoute route(LlmModel model) {
        ModelRoute r = routes.get(model.name());
        return r != null ? r : new ModelRoute(model, byKey);
    }

    /** {@code GET /metrics} → {@code routing}: each target's state and each model's tiers. */
    public Map<String, Object> json() {
        long now = System.nanoTime();
        List<Map<String, Object>> targets = new ArrayList<>();
        byKey.forEach((key, d) -> {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("target", key);
            t.put("provider", d.providerName());
            t.put("model", d.model());
            t.put("state", d.state().name().toLowerCase());
            t.put("in_flight", d.inFlight());
            t.put("latency_ms", d.latencyNanos() / 1_000_000.0);
            if (d.breaker() != null) {
                long w = d.breaker().window(now);
                t.put("window_calls", w >>> 32);
                t.put("window_failures", w & 0xFFFF_FFFFL);
                t.put("opened", d.breaker().opened());
            }
            targets.add(t);
        });
        Map<String, Object> byModel = new LinkedHashMap<>();
        models.values().forEach(m -> {
            List<List<String>> tiers = new ArrayList<>();
            for (List<LlmModel.Target> tier : m.tiers()) {
                tiers.add(tier.stream().map(t -> t.key() + "*" + t.weight()).toList());
            }
            byModel.put(m.name(), Map.of("strategy", m.strategy().configName(), "tiers", tiers));
        });
        return Map.of("targets", targets, "models", byModel);
    }

    /**
     * Gauges {@code sluice.llm.target.state} (0 closed, 1 open, 2 half-open), {@code .in.flight},
     * {@code .latency.seconds} (moving average of the time to first token) and the counter
     * {@code sluice.llm.target.breaker.opened}, tagged {@code provider} and {@code model}.
     */
    public void registerMeters(MeterRegistry registry) {
        byKey.values().forEach(d -> {
            List<Tag> tags = List.of(Tag.create("provider", d.providerName()), Tag.create("model", d.model()));
            gauge(registry, "sluice.llm.target.state", "circuit breaker: 0 closed, 1 open, 2 half-open", tags, d,
                  x -> x.state().ordinal());
            gauge(registry, "sluice.llm.target.in.flight", "calls in flight to the target", tags, d, Deployment::inFlight);
            gauge(registry, "sluice.llm.target.latency.seconds", "moving average of the target's time to first token", tags, d,
                  x -> x.latencyNanos() / 1e9);
            if (d.breaker() != null) {
                registry.getOrCreate(FunctionalCounter.builder("sluice.llm.target.breaker.opened", d.breaker(),
                                                               CircuitBreaker::opened)
                                             .description("times the target's circuit breaker opened")
                                             .tags(tags));
            }
        });
    }

    private static void gauge(MeterRegistry registry, String name, String description, List<Tag> tags, Deployment d,
                              ToDoubleFunction<Deployment> value) {
        registry.getOrCreate(Gauge.builder(name, () -> value.applyAsDouble(d)).description(description).tags(tags));
    }
}
