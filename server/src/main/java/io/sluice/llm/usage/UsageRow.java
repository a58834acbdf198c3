package io.sluice.llm.usage;

import java.util.Locale;

import io.sluice.llm.ChatResult;

/** One llm_usage row as it waits in the writer's queue: only the fields, not the answer's body. */
record UsageRow(String requestId, String user, String sessionId, String model, String provider,
                int promptTokens, int completionTokens, boolean estimated, String status,
                String owner, String keyId, int cachedTokens, double cost) {

    static UsageRow of(String requestId, String user, String sessionId, String model, ChatResult result,
                       String owner, String keyId, Prices prices) {
        return new UsageRow(requestId, user == null ? "" : user, sessionId, model, result.provider(),
                            result.usage().promptTokens(), result.usage().completionTokens(), result.usage().estimated(),
                            result.status().name().toLowerCase(Locale.ROOT), owner, keyId, result.usage().cachedTokens(),
                            result.status() == ChatResult.Status.CACHE_HIT ? 0 : prices.cost(model, result.provider(), result.usage()));
    }
}
