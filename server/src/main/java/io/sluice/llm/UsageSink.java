package io.sluice.llm;

/** Where token usage goes once a call has ended (a table, for later quotas). Must not throw. */
@FunctionalInterface
public interface UsageSink {
    /**
     * @param sessionId the session the call belongs to, or null for a plain chat completion
     */
    void record(String requestId, String user, String sessionId, String model, ChatResult result);

    /**
     * @param owner the authenticated user who pays (their id; null when unknown)
     * @param keyId the API key the call came with, or null
     */
    default void record(String requestId, String user, String sessionId, String model, ChatResult result,
                        String owner, String keyId) {
        record(requestId, user, sessionId, model, result);
    }
}
