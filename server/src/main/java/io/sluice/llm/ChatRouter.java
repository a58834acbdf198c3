package io.sluice.llm;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.sluice.limits.Permit;
import io.sluice.llm.UpstreamException.Next;
import io.sluice.ratelimit.UpstreamLimiter;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a chat request from a model's providers, in order. Each provider gets up to
 * {@code retry.max-attempts} calls, with exponential backoff and jitter between them, while the
 * retry budget allows; then the next provider is tried. All of that happens only before the first
 * chunk reaches the client: after it, a failure ends the stream with an error event. Calls to a
 * provider hold a slot of that provider's own bulkhead; a provider whose bulkhead is full is
 * skipped for the next one, so a stalled provider costs only its own slots.
 */
public final class ChatRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ChatRouter.class);

    private final Map<String, Provider> providers;
    private final ProviderBulkheads bulkheads;
    private final RetryBudget budget;
    private final LlmSettings.Retry retry;
    private final Relay relay;
    private final UpstreamLimiter limiter;
    private final Tracing tracing;
    private final AttemptSpans spans;

    public ChatRouter(Map<String, Provider> providers, ProviderBulkheads bulkheads, LlmSettings s, LlmMeters meters,
                      UpstreamLimiter limiter, Tracing tracing) {
        this.tracing = tracing;
        this.spans = new AttemptSpans(tracing);
        this.providers = providers;
        this.limiter = limiter;
        this.bulkheads = bulkheads;
        this.budget = new RetryBudget(s.retry());
        this.retry = s.retry();
        this.relay = new Relay(s, meters);
    }

    /** A non-streamed answer; any failure is thrown as an ApiException (502/503/504, or 400 if every provider would refuse). */
    public ChatResult complete(ChatRequest request, LlmModel model) {
        return run(request, model, null);
    }

    /**
     * Relays a streamed answer to {@code out}. Throws an ApiException only while nothing has been
     * written; afterwards every ending is reported in the result (and to the client as an event).
     */
    public ChatResult stream(ChatRequest request, LlmModel model, SseWriter out) {
        return run(request, model, out);
    }

    private ChatResult run(ChatRequest request, LlmModel model, SseWriter out) {
        budget.recordRequest();
        Tally tally = new Tally();
        UpstreamException last = null;
        Provider provider = null;
        targets:
        for (LlmModel.Target target : model.route()) {
            provider = providers.get(target.provider());
            Permit slot;
            try {
                slot = bulkheads.acquire(provider.name());
            } catch (UpstreamException refused) {
                last = refused;
                if (refused.next() == Next.GIVE_UP) {
                    break;
                }
                LOG.warn("model {}: {}; falling back", model.name(), refused.getMessage());
                continue;
            }
            try (slot) {
                for (int attempt = 1; ; attempt++) {
                    if (out != null) {
                        out.provider(provider);
                    }
                    limiter.acquire(provider.name());   // the provider's adaptive rate: a bounded wait, or 503
                    Relay.Outcome outcome = call(provider, target, attempt, target != model.route().get(0), request, out, tally);
                    limiter.record(provider.name(), upstreamFailed(outcome));
                    switch (outcome.kind()) {
                        case DONE:
                            return result(ChatResult.Status.COMPLETE, provider, tally, request, outcome.body());
                        case CLIENT_GONE:
                            return result(ChatResult.Status.CLIENT_GONE, provider, tally, request, null);
                        case FAILED_AFTER_FIRST_CHUNK:
                            return endStreamLogged(out, outcome.error(), provider, tally, request);
                        default:
                            last = outcome.error();
                    }
                    if (last.next() == Next.GIVE_UP) {
                        LOG.warn("model {}: provider {} failed ({}); not retried, not sent elsewhere", model.name(),
                                 provider.name(), last.getMessage());
                        break targets;
                    }
                    boolean retryable = last.next() == Next.RETRY && attempt < retry.maxAttempts();
                    if (!retryable || !budget.tryRetry()) {
                        LOG.warn("model {}: provider {} attempt {} failed ({}); {}", model.name(), provider.name(), attempt,
                                 last.getMessage(), retryable ? "retry budget spent, falling back" : "falling back");
                        break;   // on to the next provider
                    }
                    Duration delay = backoff(attempt, last.retryAfter());
                    LOG.info("model {}: provider {} attempt {} failed ({}); retrying in {} ms", model.name(), provider.name(),
                             attempt, last.getMessage(), delay.toMillis());
                    try {
                        if (!relay.pause(delay, out)) {
                            last = Relay.deadlineExceeded();
                            break targets;
                        }
                    } catch (ClientGoneException e) {
                        return result(ChatResult.Status.CLIENT_GONE, provider, tally, request, null);
                    }
                }
            }
        }
        if (out != null && out.committed()) {
            return endStream(out, last, provider, tally, request);
        }
        throw last.toApiException();
    }

    /** One upstream attempt, in its trace span (a no-op when tracing is off). */
    private Relay.Outcome call(Provider provider, LlmModel.Target target, int attempt, boolean fallback, ChatRequest request,
                               SseWriter out, Tally tally) {
        try (TraceSpan span = spans.start(provider, target.model(), attempt, fallback)) {
            // Non-streamed: called on this thread (Relay.complete says why); streamed: an Attempt relays it.
            Relay.Outcome outcome = out == null && !request.stream()
                    ? relay.complete(provider, new UpstreamBody(request, target.model()), tally)
                    : relay.drive(Attempt.start(provider, new UpstreamBody(request, target.model()), request.stream(), tracing),
                                  request, out, tally);
            spans.end(span, outcome, tally, request);
            return outcome;
        }
    }

    /** An upstream's own failure (5xx, 429, timeout, unreachable, broken stream), not a refused request. */
    private static boolean upstreamFailed(Relay.Outcome outcome) {
        return switch (outcome.kind()) {
            case DONE, CLIENT_GONE -> false;
            default -> outcome.error() != null && outcome.error().status() >= 500;
        };
    }

    private static ChatResult endStreamLogged(SseWriter out, UpstreamException error, Provider provider, Tally tally,
                                              ChatRequest request) {
        LOG.warn("provider {} failed mid-stream ({}); the client gets an error event", provider.name(), error.getMessage());
        return endStream(out, error, provider, tally, request);
    }

    private static ChatResult endStream(SseWriter out, UpstreamException error, Provider provider, Tally tally, ChatRequest request) {
        try {
            out.error(error.status(), error.code(), error.getMessage());
        } catch (ClientGoneException e) {
            return result(ChatResult.Status.CLIENT_GONE, provider, tally, request, null);
        }
        return result(ChatResult.Status.FAILED, provider, tally, request, null);
    }

    private Duration backoff(int attempt, Duration hint) {
        long max = retry.maxBackoff().toNanos();
        long base = Math.min(max, retry.initialBackoff().toNanos() << Math.min(attempt - 1, 20));
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);   // "equal jitter"
        if (hint != null) {
            jittered = Math.max(jittered, Math.min(hint.toNanos(), max));
        }
        return Duration.ofNanos(jittered);
    }

    private static ChatResult result(ChatResult.Status status, Provider provider, Tally tally, ChatRequest request, byte[] body) {
        return new ChatResult(status, provider.name(), tally.text(), tally.finishReason(), tally.usage(request.promptChars()), body);
    }
}
