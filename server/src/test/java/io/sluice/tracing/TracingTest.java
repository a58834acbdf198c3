package io.sluice.tracing;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.sluice.support.FakeAnthropic;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.TestServer;
import io.sluice.tracing.OtlpReceiver.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing on, against a tiny OTLP/HTTP receiver decoding the exporter's protobuf: the span tree of a
 * chat (server span continuing the client's traceparent, admission wait, the upstream attempt with
 * GenAI attributes), the traceparent the fake upstream received, the trace id in the access line,
 * database spans, and a task's run continuing its submit's trace (carried in the stream entry). Also the request-start access line.
 */
class TracingTest {
    private static OtlpReceiver receiver;
    private static FakeAnthropic anthropic;
    private static TestGateway gateway;
    private static TestServer server;
    private static final List<String> upstreamTraceparents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        anthropic = FakeAnthropic.start();
        gateway = TestGateway.start("fake", Map.of(
                "llm.models.fake-model.route", "fake:upstream-model",
                "llm.providers.claude.type", "anthropic",
                "llm.providers.claude.base-url", anthropic.baseUrl(),
                "llm.providers.claude.api-key", "sk-ant-test-key",
                "llm.models.claude.route", "claude:claude-sonnet-4-5",
                "tracing.enabled", "true",
                "tracing.endpoint", receiver.endpoint(),
                "tracing.export-interval", "100ms",
                "tracing.service-name", "sluice-test",
                "logging.access-start-line", "true"));
        server = gateway.server();
        gateway.upstream().byDefault((fake, ex, req) -> {
            upstreamTraceparents.add(String.valueOf(ex.getRequestHeaders().getFirst("traceparent")));
            FakeUpstream.reply(3, Duration.ZERO).respond(fake, ex, req);
        });
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
    }

    private static String newTraceId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static HttpResponse<String> chat(boolean stream, String traceparent, String requestId) {
        return chat("fake-model", stream, traceparent, requestId);
    }

    private static HttpResponse<String> chat(String model, boolean stream, String traceparent, String requestId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Request-Id", requestId)
                .header("User-Agent", "tracing-test/1.0")
                .header("session-id", "sess-42")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return server.send(b);
    }

    /** Waits until the receiver holds a span of the trace matching the name, and returns it. */
    private static Received awaitSpan(String traceId, String name) {
        Received[] found = new Received[1];
        await("span '" + name + "' of trace " + traceId + " (got " + receiver.spans().stream()
                      .filter(s -> s.traceId().equals(traceId)).map(Received::name).toList() + ")",
              Duration.ofSeconds(10), () -> {
                  found[0] = receiver.spans().stream()
                          .filter(s -> s.traceId().equals(traceId) && s.name().startsWith(name)).findFirst().orElse(null);
                  return found[0] != null;
              });
        return found[0];
    }

    @Test
    void chatSpanTreeContinuesTheClientTraceAndReachesTheUpstream() {
        String traceId = newTraceId();
        String clientSpan = "00f067aa0ba902b7";
        HttpResponse<String> res = chat(false, "00-" + traceId + "-" + clientSpan + "-01", "tr-" + UUID.randomUUID());
        assertEquals(200, res.statusCode(), res.body());

        Received serverSpan = awaitSpan(traceId, "POST ");
        assertEquals(SpanKind.SPAN_KIND_SERVER, serverSpan.kind());
        assertEquals(clientSpan, serverSpan.parentSpanId(), "the server span is the client's span's child");
        assertTrue(serverSpan.name().endsWith("chat/completions"), serverSpan.name());
        assertEquals("POST", serverSpan.string("http.request.method"));
        assertEquals("200", serverSpan.string("http.response.status_code"));
        assertEquals("/v1/chat/completions", serverSpan.string("url.path"));
        assertEquals("sluice-test", serverSpan.serviceName());

        Received admission = awaitSpan(traceId, "admission.wait");
        assertEquals(serverSpan.spanId(), admission.parentSpanId());

        Received attempt = awaitSpan(traceId, "chat upstream-model");
        assertEquals(serverSpan.spanId(), attempt.parentSpanId());
        assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
        assertEquals("chat", attempt.string("gen_ai.operation.name"));
        assertEquals("openai", attempt.string("gen_ai.system"));
        assertEquals("upstream-model", attempt.string("gen_ai.request.model"));
        assertEquals("upstream-model", attempt.string("gen_ai.response.model"));
        assertEquals("fake", attempt.string("sluice.provider"));
        assertEquals("1", attempt.string("sluice.attempt"));
        assertEquals("false", attempt.string("sluice.fallback"));
        assertNotNull(attempt.string("gen_ai.usage.input_tokens"));
        assertNotNull(attempt.string("gen_ai.usage.output_tokens"));
        assertEquals("[stop]", attempt.string("gen_ai.response.finish_reasons"));

        // The upstream got the attempt span as its parent, in the client's trace.
        assertTrue(upstreamTraceparents.contains("00-" + traceId + "-" + attempt.spanId() + "-01"), upstreamTraceparents.toString());
        assertTrue(receiver.contentTypes().contains("application/x-protobuf"), receiver.contentTypes().toString());
    }

    @Test
    void anthropicAttemptIsTaggedWithItsOwnGenAiSystem() {
        for (boolean stream : new boolean[] {false, true}) {
            String traceId = newTraceId();
            HttpResponse<String> res = chat("claude", stream, "00-" + traceId + "-00f067aa0ba902b7-01", "tr-" + UUID.randomUUID());
            assertEquals(200, res.statusCode(), res.body());
            Received attempt = awaitSpan(traceId, "chat claude-sonnet-4-5");
            assertEquals(SpanKind.SPAN_KIND_CLIENT, attempt.kind());
            assertEquals("anthropic", attempt.string("gen_ai.system"), "an Anthropic target is not tagged openai (stream " + stream + ")");
            assertEquals("chat", attempt.string("gen_ai.operation.name"));
            assertEquals("claude-sonnet-4-5", attempt.string("gen_ai.request.model"));
            assertEquals("claude", attempt.string("sluice.provider"));
            assertNotNull(attempt.string("gen_ai.usage.input_tokens"));
        }
    }

    @Test
    void streamedAttemptCarriesTheTraceToItsOwnThread() {
        String traceId = newTraceId();
        HttpResponse<String> res = chat(true, "00-" + traceId + "-1111111111111111-01", "tr-" + UUID.randomUUID());
        assertEquals(200, res.statusCode(), res.body());
        Received attempt = awaitSpan(traceId, "chat upstream-model");
        assertTrue(upstreamTraceparents.contains("00-" + traceId + "-" + attempt.spanId() + "-01"), upstreamTraceparents.toString());
        assertEquals("upstream-model", attempt.string("gen_ai.response.model"));
    }

    @Test
    void malformedTraceparentStartsANewTraceAndTheAccessLineNamesIt() throws Exception {
        String requestId = "tr-bad-" + UUID.randomUUID();
        HttpResponse<String> res = chat(false, "00-not-a-trace-zz", requestId);
        assertEquals(200, res.statusCode(), res.body());
        String line = awaitLine(requestId + " POST");
        String traceId = line.replaceAll(".* trace_id=([0-9a-f]{32}).*", "$1");
        assertEquals(32, traceId.length(), line);
        Received serverSpan = awaitSpan(traceId, "POST ");
        assertEquals("", serverSpan.parentSpanId(), "a malformed traceparent is ignored: a root span");
        assertNotEquals("00000000000000000000000000000000", traceId);
    }

    @Test
    void requestStartLineIsLoggedBeforeTheCompletionLine() throws Exception {
        String requestId = "tr-start-" + UUID.randomUUID();
        chat(false, null, requestId);
        String start = awaitLine(requestId + " started");
        assertEquals(requestId + " started POST /v1/chat/completions ip=127.0.0.1 session=sess-42 ua=\"tracing-test/1.0\"",
                     start.substring(start.indexOf(requestId)));
        awaitLine(requestId + " POST /v1/chat/completions");
    }

    @Test
    void databaseCallsAndTaskRunsAreSpansOfTheRequestTrace() {
        String traceId = newTraceId();
        HttpResponse<String> session = server.send(HttpRequest.newBuilder(server.uri("/v1/sessions"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-2222222222222222-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"ann\",\"title\":\"Trip\"}")));
        assertTrue(session.statusCode() < 300, session.body());
        Received serverSpan = awaitSpan(traceId, "POST ");
        Received insert = awaitSpan(traceId, "INSERT");
        assertEquals(serverSpan.spanId(), insert.parentSpanId());
        assertEquals("postgresql", insert.string("db.system.name"));
        assertFalse(insert.string("db.query.text").contains("ann"), "bound parameters never reach a span");

        String taskTrace = newTraceId();
        HttpResponse<String> task = server.send(HttpRequest.newBuilder(server.uri("/v1/tasks"))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + taskTrace + "-3333333333333333-01")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertTrue(task.statusCode() < 300, task.body());
        Received submit = awaitSpan(taskTrace, "POST ");
        Received run = awaitSpan(taskTrace, "task.run");
        assertEquals(submit.spanId(), run.parentSpanId(), "the run continues its submit's trace");
        Received attempt = awaitSpan(taskTrace, "chat upstream-model");
        assertEquals(run.spanId(), attempt.parentSpanId());
        assertTrue(receiver.spans().stream().filter(s -> s.traceId().equals(taskTrace))
                           .anyMatch(s -> Objects.equals(s.parentSpanId(), run.spanId()) && s.name().equals("UPDATE")),
                   "the run's database updates are its children");
    }

    private static String awaitLine(String marker) throws Exception {
        Path log = server.logDir().resolve("server.log");
        String[] found = new String[1];
        await(marker + " in server.log", Duration.ofSeconds(5), () -> {
            try {
                found[0] = Files.exists(log) ? Files.readString(log).lines().filter(l -> l.contains(marker)).findFirst().orElse(null) : null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return found[0] != null;
        });
        return found[0];
    }
}
