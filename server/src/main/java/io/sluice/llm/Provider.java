package io.sluice.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An upstream that answers OpenAI chat completion requests. {@link #call} blocks the calling
 * (virtual) thread for the whole exchange and must stop promptly when that thread is interrupted:
 * that is how a cancelled or timed-out call is ended.
 */
public interface Provider {
    String name();

    /** True for the built-in simulator: labelled in /v1/models, response headers and system_fingerprint. */
    boolean simulated();

    /** OpenTelemetry's {@code gen_ai.system} of the upstream attempt spans: what the upstream speaks. */
    default String genAiSystem() {
        return simulated() ? "sluice.simulated" : "openai";
    }

    /**
     * Sends {@code body} (an OpenAI request with the upstream model and {@code stream} set, as a tree or bytes);
     * streamed answers arrive as {@link Delivery#chunk} calls then {@link Delivery#done}, a
     * non-streamed answer as one {@link Delivery#body}.
     */
    void call(UpstreamBody body, boolean stream, Delivery delivery) throws UpstreamException, InterruptedException;

    /** Where a provider hands what it receives; each call may block until the relay catches up. */
    interface Delivery {
        /** The upstream has begun its answer (status 200 received): the first-byte deadline is met. */
        default void started() {
        }

        /** One SSE event's data: a chat.completion.chunk JSON object, exactly as received. */
        void chunk(String data) throws InterruptedException;

        /** The stream ended normally ({@code data: [DONE]}). */
        void done() throws InterruptedException;

        /** A whole non-streamed chat.completion JSON object, exactly as received. */
        void body(byte[] json) throws InterruptedException;
    }
}
