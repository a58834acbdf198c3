package io.sluice.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * A public model name ({@code llm.models.<id>}) and where it is served: tiers in fallback order,
 * each tier one or more targets that share its traffic by {@link #strategy}.
 *
 * @param route every target, tier by tier (a route of single-target tiers is the plain fallback order)
 */
public record LlmModel(String name, List<Target> route, Strategy strategy) {
    /** Targets a tier may hold: the router remembers those it tried in one {@code long} bit set. */
    static final int MAX_TIER_TARGETS = 64;
    private static final int MAX_WEIGHT = 10_000;

    /** How a tier's traffic is shared among its targets that are not shut by their circuit breaker. */
    public enum Strategy {
        /** At random, in proportion to the weights. */
        WEIGHTED,
        /** The target with the fewest calls in flight. */
        LEAST_BUSY,
        /**
         * The target with the lowest recent time to first token (a moving average); one call in 20 explores by weight,
         * and a target passed over {@link Deployment#STALE_AFTER} times is probed (its estimate renewed).
         */
        LOWEST_LATENCY;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One deployment of the model: a provider and its name for the model; {@code tier} counts from 0. */
    public record Target(String provider, String model, int weight, int tier) {
        public Target(String provider, String model) {
            this(provider, model, 1, 0);
        }

        /** {@code provider:model}, the key of the target's live state (breaker, in flight, latency). */
        public String key() {
            return provider + ":" + model;
        }
    }

    /** A single-tier, single-target route: the shape every model had before tiers. */
    public LlmModel(String name, List<Target> route) {
        this(name, route, Strategy.WEIGHTED);
    }

    /** The tiers, in fallback order. */
    public List<List<Target>> tiers() {
        List<List<Target>> tiers = new ArrayList<>();
        for (Target t : route) {
            if (t.tier() == tiers.size()) {
                tiers.add(new ArrayList<>());
            }
            tiers.get(t.tier()).add(t);
        }
        return tiers;
    }

    /**
     * {@code route: "east:gpt-4o*3 | west:gpt-4o, openai:gpt-4o-mini"}: tiers separated by ',' in
     * fallback order, a tier's targets by '|', an optional {@code *weight} (default 1) per target.
     * Each target is provider:upstream-model, split at the first ':' (Ollama tags have one).
     */
    static LlmModel from(ConfigReader c, String id, Set<String> providers) {
        String key = "llm.models." + id;
        String name = c.stringOr(key + ".name", id).trim();
        String route = c.string(key + ".route");
        List<Target> targets = new ArrayList<>();
        String[] tiers = route.split(",");
        for (int tier = 0; tier < tiers.length; tier++) {
            String[] parts = tiers[tier].split("\\|");
            if (parts.length > MAX_TIER_TARGETS) {
                throw new InvalidConfigException(key + ".route", route, "at most " + MAX_TIER_TARGETS + " targets per tier");
            }
            for (String part : parts) {
                targets.add(target(key, route, part.trim(), tier, providers));
            }
        }
        if (name.isEmpty() || name.length() > 128) {
            throw new InvalidConfigException(key + ".name", name, "must be 1 to 128 characters");
        }
        String strategy = c.stringOr(key + ".strategy", "weighted").trim().toLowerCase(Locale.ROOT);
        Strategy chosen = null;
        for (Strategy s : Strategy.values()) {
            if (s.configName().equals(strategy)) {
                chosen = s;
            }
        }
        if (chosen == null) {
            throw new InvalidConfigException(key + ".strategy", strategy, "must be weighted, least-busy or lowest-latency");
        }
        return new LlmModel(name, List.copyOf(targets), chosen);
    }

    private static Target target(String key, String route, String p, int tier, Set<String> providers) {
        int weight = 1;
        int star = p.lastIndexOf('*');
        if (star > 0) {
            try {
                weight = Integer.parseInt(p.substring(star + 1).trim());
            } catch (NumberFormatException e) {
                weight = -1;
            }
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new InvalidConfigException(key + ".route", route, "a weight (*n) must be an integer from 1 to " + MAX_WEIGHT);
            }
            p = p.substring(0, star).trim();
        }
        int colon = p.indexOf(':');
        if (colon <= 0 || colon == p.length() - 1) {
            throw new InvalidConfigException(key + ".route", route, "each entry must be provider:upstream-model[*weight]");
        }
        String provider = p.substring(0, colon).trim();
        if (!providers.contains(provider)) {
            throw new InvalidConfigException(key + ".route", route,
                    "unknown provider '" + provider + "' (llm.providers: " + providers + ")");
        }
        return new Target(provider, p.substring(colon + 1).trim(), weight, tier);
    }
}
