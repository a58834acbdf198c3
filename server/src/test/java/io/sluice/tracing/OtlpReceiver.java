package io.sluice.tracing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A tiny OTLP/HTTP collector on port 0: POST /v1/traces with a protobuf ExportTraceServiceRequest,
 * decoded with the official opentelemetry-proto classes; it keeps every span it received.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span, ids as lower-case hex (as in a traceparent). */
    record Received(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
                    java.util.Map<String, AnyValue> attributes, String serviceName, io.opentelemetry.proto.trace.v1.Status status) {
        String string(String key) {
            AnyValue v = attributes.get(key);
            return v == null ? null : v.hasStringValue() ? v.getStringValue()
                    : v.hasIntValue() ? String.valueOf(v.getIntValue())
                    : v.hasBoolValue() ? String.valueOf(v.getBoolValue())
                    : v.hasArrayValue() ? v.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList().toString()
                    : v.toString();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(executor);
        server.createContext("/v1/traces", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<Received> spans() {
        return new ArrayList<>(spans);
    }

    List<String> contentTypes() {
        return contentTypes;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
            for (ResourceSpans rs : request.getResourceSpansList()) {
                String service = rs.getResource().getAttributesList().stream()
                        .filter(kv -> kv.getKey().equals("service.name"))
                        .map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span s : ss.getSpansList()) {
                        java.util.Map<String, AnyValue> attributes = new java.util.HashMap<>();
                        for (KeyValue kv : s.getAttributesList()) {
                            attributes.put(kv.getKey(), kv.getValue());
                        }
                        spans.add(new Received(hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                                               hex(s.getParentSpanId().toByteArray()), s.getName(), s.getKind(),
                                               attributes, service, s.getStatus()));
                    }
                }
            }
            byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
            if (ok.length > 0) {
                ex.getResponseBody().write(ok);
            }
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
