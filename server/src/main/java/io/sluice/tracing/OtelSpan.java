package io.sluice.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/** A live OpenTelemetry span, with the scope that made it current (null when it was not). */
final class OtelSpan implements TraceSpan {
    private final Span span;
    private final Scope scope;

    OtelSpan(Span span, Scope scope) {
        this.span = span;
        this.scope = scope;
    }

    Span span() {
        return span;
    }

    @Override
    public boolean recording() {
        return span.isRecording();
    }

    @Override
    public TraceSpan set(String key, String value) {
        if (value != null) {
            span.setAttribute(AttributeKey.stringKey(key), value);
        }
        return this;
    }

    @Override
    public TraceSpan set(String key, long value) {
        span.setAttribute(AttributeKey.longKey(key), value);
        return this;
    }

    @Override
    public TraceSpan set(String key, boolean value) {
        span.setAttribute(AttributeKey.booleanKey(key), value);
        return this;
    }

    @Override
    public TraceSpan set(String key, java.util.List<String> values) {
        span.setAttribute(AttributeKey.stringArrayKey(key), values);
        return this;
    }

    @Override
    public void error(String description) {
        span.setStatus(StatusCode.ERROR, description);
    }

    @Override
    public void close() {
        if (scope != null) {
            scope.close();
        }
        span.end();
    }
}
