package io.sluice.tracing;

/**
 * One span as the features see it: attributes, an error, the end. With tracing off every hook gets
 * {@link #NOOP}, so no OpenTelemetry class is loaded and nothing is allocated.
 */
public interface TraceSpan extends AutoCloseable {

    TraceSpan NOOP = new TraceSpan() {
    };

    /** False for {@link #NOOP} and for spans the sampler dropped: skip computing attributes. */
    default boolean recording() {
        return false;
    }

    default TraceSpan set(String key, String value) {
        return this;
    }

    default TraceSpan set(String key, long value) {
        return this;
    }

    default TraceSpan set(String key, boolean value) {
        return this;
    }

    default TraceSpan set(String key, java.util.List<String> values) {
        return this;
    }

    /** Marks the span failed with a short description (never a secret, never a body). */
    default void error(String description) {
    }

    /** Ends the span and, if it was made current, restores the previous context. */
    @Override
    default void close() {
    }
}
