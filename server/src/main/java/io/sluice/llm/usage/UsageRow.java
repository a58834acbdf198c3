package io.sluice.llm.usage;

import java.util.Locale;

import io.sluice.llm.ChatResult;

/** One llm_usage row as it waits in the writer's queue: only the fields, not the answer's body. */
record UsageRow(String requestId, String user, String sessionId, String model, String provider,
                int promptTokens, int completionTokens, boolean estimated, String status) {

    static UsageRow of(String requestId, String user, String sessionId, String model, ChatResult result) {
        return new UsageRow(requestId, user == null ? "" : user, sessionId, model, result.provider(),
                            result.usage().promptTokens(), result.usage().completionTokens(), result.usage().estimated(),
                            result.status().name().toLowerCase(Locale.ROOT));
    }
}
