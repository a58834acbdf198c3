package io.sluice.llm;

/**
 * How a chat call ended, for the caller to store: the assistant's text as far as it got, the
 * token usage (the upstream's own count, or an estimate of chars/4 when it sent none) and the
 * provider that served it.
 *
 * @param body the upstream's whole chat.completion JSON (non-streamed calls only, else null)
 */
public record ChatResult(Status status, String provider, String text, String finishReason, Usage usage, byte[] body) {

    public enum Status {
        /** The answer arrived whole. */
        COMPLETE,
        /** The client went away mid-stream; the text is what had been relayed. */
        CLIENT_GONE,
        /** The stream had started and then failed (stall, upstream error, deadline); the client got an error event. */
        FAILED,
        /** Answered from the response cache: no upstream call, zero upstream tokens (provider "cache" or "semantic-cache"). */
        CACHE_HIT
    }

    /** @param cachedTokens the part of the prompt the upstream served from its prompt cache (billed at the cached-input price) */
    public record Usage(int promptTokens, int completionTokens, boolean estimated, int cachedTokens) {
        public Usage(int promptTokens, int completionTokens, boolean estimated) {
            this(promptTokens, completionTokens, estimated, 0);
        }
    }

    public boolean complete() {
        return status == Status.COMPLETE;
    }
}
