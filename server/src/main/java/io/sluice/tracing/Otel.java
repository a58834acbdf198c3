package io.sluice.tracing;

import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * The OpenTelemetry SDK, built only when tracing is on: a tracer provider whose batch processor
 * hands finished spans to the OTLP/HTTP (protobuf) exporter off the request threads. Its queue is
 * bounded; when full, spans are dropped (and counted by the SDK), never waited for.
 */
final class Otel implements AutoCloseable {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    /** Reads a lone traceparent (and tracestate) from the carrier: the W3C propagator validates it. */
    private static final TextMapGetter<String[]> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
            return java.util.List.of("traceparent", "tracestate");
        }

        @Override
        public String get(String[] carrier, String key) {
            return carrier == null ? null : "traceparent".equals(key) ? carrier[0] : "tracestate".equals(key) ? carrier[1] : null;
        }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    Otel(TracingSettings s) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(s.endpoint())
                .setTimeout(java.time.Duration.ofSeconds(10))   // one export waits at most this
                .build();
        BatchSpanProcessor batches = BatchSpanProcessor.builder(exporter)
                .setScheduleDelay(s.exportInterval())
                .setMaxQueueSize(s.queueSize())
                .setMaxExportBatchSize(Math.min(512, s.queueSize()))
                .build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(AttributeKey.stringKey("service.name"), s.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(s.samplingRatio())))
                .addSpanProcessor(batches)
                .build();
        this.tracer = provider.get("io.sluice");
    }

    /** A child of the current span (or a root); made current until closed when {@code current}. */
    TraceSpan start(String name, SpanKind kind, boolean current) {
        Span span = tracer.spanBuilder(name).setSpanKind(kind).startSpan();
        return new OtelSpan(span, current ? span.makeCurrent() : null);
    }

    /** The server span of a request, continuing the client's trace when its traceparent is valid. */
    TraceSpan server(String name, String traceparent, String tracestate) {
        Context parent = traceparent == null ? Context.root()
                : W3C.extract(Context.root(), new String[] {traceparent, tracestate}, HEADERS);   // malformed: root
        Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
        return new OtelSpan(span, span.makeCurrent());
    }

    /** A span whose parent is a traceparent carried elsewhere (a task's queue entry); made current. */
    TraceSpan continued(String name, String traceparent) {
        Context parent = traceparent == null ? Context.root()
                : W3C.extract(Context.root(), new String[] {traceparent, null}, HEADERS);
        Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
        return new OtelSpan(span, span.makeCurrent());
    }

    /** The W3C traceparent of the current span, or null outside any span. */
    static String traceparent() {
        SpanContext c = Span.current().getSpanContext();
        if (!c.isValid()) {
            return null;
        }
        return "00-" + c.getTraceId() + '-' + c.getSpanId() + (c.isSampled() ? "-01" : "-00");
    }

    static boolean inTrace() {
        return Span.current().getSpanContext().isValid();
    }

    static String traceId(TraceSpan span) {
        return span instanceof OtelSpan o ? o.span().getSpanContext().getTraceId() : null;
    }

    static Runnable wrap(Runnable r) {
        return Context.current().wrap(r);
    }

    /** Sends what is queued (bounded), then stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
