package io.sluice.tracing;

import io.opentelemetry.api.trace.SpanKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sluice's one entry to OpenTelemetry. {@link #OFF} (tracing.enabled false) answers every hook with
 * {@link TraceSpan#NOOP} or null after one null check: no SDK, no exporter thread, no context
 * look-ups on the request path. On, spans follow the request's thread through OpenTelemetry's
 * thread-local context; {@link #wrap} carries it to the virtual thread of a streamed upstream call.
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    public static final Tracing OFF = new Tracing(null);

    private final Otel otel;   // null: off

    private Tracing(Otel otel) {
        this.otel = otel;
    }

    public static Tracing start(TracingSettings s) {
        if (!s.enabled()) {
            return OFF;
        }
        LOG.info("tracing on: OTLP/HTTP to {}, sampling ratio {}, service {}", s.endpoint(), s.samplingRatio(), s.serviceName());
        return new Tracing(new Otel(s));
    }

    public boolean enabled() {
        return otel != null;
    }

    /** An internal step of the current request (admission wait, task run), current until closed. */
    public TraceSpan span(String name) {
        return otel == null ? TraceSpan.NOOP : otel.start(name, SpanKind.INTERNAL, true);
    }

    /** A call to another service (an upstream attempt, a query), current until closed. */
    public TraceSpan client(String name) {
        return otel == null ? TraceSpan.NOOP : otel.start(name, SpanKind.CLIENT, true);
    }

    /**
     * A client span only inside a trace (a request's, a task's): health probes and background loops
     * (usage batches, reclaimers) would otherwise make a root trace per query. {@code current}: made current.
     */
    public TraceSpan childClient(String name, boolean current) {
        return otel == null || !Otel.inTrace() ? TraceSpan.NOOP : otel.start(name, SpanKind.CLIENT, current);
    }

    /** A client span that is not made current: ended on another call path (a pooled Redis connection's return). */
    public TraceSpan detachedClient(String name) {
        return otel == null ? TraceSpan.NOOP : otel.start(name, SpanKind.CLIENT, false);
    }

    /** A request's server span; a malformed or missing traceparent starts a new trace. */
    public TraceSpan server(String name, String traceparent, String tracestate) {
        return otel == null ? TraceSpan.NOOP : otel.server(name, traceparent, tracestate);
    }

    /** Work that continues a trace carried as a traceparent string (a task's queue entry). */
    public TraceSpan continued(String name, String traceparent) {
        return otel == null ? TraceSpan.NOOP : otel.continued(name, traceparent);
    }

    /** The current span's W3C traceparent, to send on; null when off or outside a span. */
    public String traceparent() {
        return otel == null ? null : Otel.traceparent();
    }

    /** The trace id of a span from this facade; null when off. */
    public String traceId(TraceSpan span) {
        return otel == null ? null : Otel.traceId(span);
    }

    /** The runnable with the current trace context attached, for another thread; itself when off. */
    public Runnable wrap(Runnable r) {
        return otel == null ? r : Otel.wrap(r);
    }

    @Override
    public void close() {
        if (otel != null) {
            otel.close();
        }
    }
}
