package io.sluice.llm.usage;

import java.math.BigDecimal;
import java.util.Map;
import java.util.function.BiFunction;

import io.sluice.llm.ChatResult;

/**
 * What a call cost: the price table ({@code usage.prices}, per million input, cached-input and output
 * tokens, in {@code usage.currency}) applied to its usage. A price is found by the upstream model
 * the serving provider was asked for, else by the public model name; a model with no price costs 0.
 * Cached prompt tokens are billed at the cached-input price, the rest of the prompt at the input price.
 */
public final class Prices {
    private final Map<String, UsageSettings.Price> byModel;
    private final BiFunction<String, String, String> upstreamModel;   // (public model, provider) -> upstream model, or null

    public Prices(Map<String, UsageSettings.Price> byModel, BiFunction<String, String, String> upstreamModel) {
        this.byModel = Map.copyOf(byModel);
        this.upstreamModel = upstreamModel;
    }

    /** No prices at all: every call costs 0. */
    public static Prices none() {
        return new Prices(Map.of(), (m, p) -> null);
    }

    public boolean any() {
        return !byModel.isEmpty();
    }

    /** The cost of one call in the configured currency (0 for an unpriced model or a cache hit). */
    public double cost(String model, String provider, ChatResult.Usage usage) {
        UsageSettings.Price price = price(model, provider);
        if (price == null) {
            return 0;
        }
        int cached = Math.min(usage.cachedTokens(), usage.promptTokens());
        return ((usage.promptTokens() - cached) * price.input()
                + cached * price.cachedInput()
                + usage.completionTokens() * price.output()) / 1_000_000d;
    }

    /** The cost rounded as it is stored (numeric(20,9)). */
    public static BigDecimal stored(double cost) {
        return BigDecimal.valueOf(cost).setScale(9, java.math.RoundingMode.HALF_UP);
    }

    private UsageSettings.Price price(String model, String provider) {
        if (byModel.isEmpty() || model == null) {
            return null;
        }
        String upstream = provider == null ? null : upstreamModel.apply(model, provider);
        UsageSettings.Price p = upstream == null ? null : byModel.get(upstream);
        return p != null ? p : byModel.get(model);
    }
}
