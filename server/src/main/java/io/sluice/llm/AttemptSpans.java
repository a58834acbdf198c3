package io.sluice.llm;

import java.io.IOException;
import java.util.List;

import io.sluice.http.Json;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;

/**
 * The span of one upstream attempt, named and described by OpenTelemetry's GenAI semantic
 * conventions ({@code gen_ai.*}) plus Sluice's own routing facts ({@code sluice.provider},
 * {@code sluice.attempt}, {@code sluice.fallback}). Attributes are computed only for a recording span.
 */
final class AttemptSpans {
    private final Tracing tracing;

    AttemptSpans(Tracing tracing) {
        this.tracing = tracing;
    }

    /** Current until closed: the upstream call (this thread, or the Attempt's via Tracing.wrap) sends its traceparent. */
    TraceSpan start(Provider provider, String upstreamModel, int attempt, boolean fallback) {
        TraceSpan span = tracing.client("chat " + upstreamModel);
        if (span.recording()) {
            span.set("gen_ai.operation.name", "chat")
                .set("gen_ai.system", provider.genAiSystem())
                .set("gen_ai.request.model", upstreamModel)
                .set("sluice.provider", provider.name())
                .set("sluice.attempt", attempt)
                .set("sluice.fallback", fallback);
        }
        return span;
    }

    void end(TraceSpan span, Relay.Outcome outcome, Tally tally, ChatRequest request) {
        if (!span.recording()) {
            return;
        }
        span.set("sluice.outcome", outcome.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (outcome.error() != null) {
            span.set("error.type", outcome.error().code());
            span.error(outcome.error().getMessage());
            return;
        }
        if (outcome.kind() != Relay.Kind.DONE) {
            return;
        }
        String model = outcome.body() != null ? bodyModel(outcome.body()) : tally.model();
        span.set("gen_ai.response.model", model);
        ChatResult.Usage usage = tally.usage(request.promptChars());
        span.set("gen_ai.usage.input_tokens", usage.promptTokens())
            .set("gen_ai.usage.output_tokens", usage.completionTokens())
            .set("sluice.usage.estimated", usage.estimated());
        if (tally.finishReason() != null) {
            span.set("gen_ai.response.finish_reasons", List.of(tally.finishReason()));
        }
    }

    /** The "model" of a non-streamed answer; parsed again only because this span records. */
    private static String bodyModel(byte[] body) {
        try {
            return Json.MAPPER.readTree(body).path("model").textValue();
        } catch (IOException e) {
            return null;
        }
    }
}
