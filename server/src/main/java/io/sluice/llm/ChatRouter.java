package io.sluice.llm;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.sluice.http.ErrorCode;
import io.sluice.limits.Permit;
import io.sluice.llm.UpstreamException.Next;
import io.sluice.ratelimit.UpstreamLimiter;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a chat request from a model's route: tier by tier in fallback order, within a tier the
 * target the model's strategy picks among those its circuit breaker lets through, then the tier's
 * other targets (see {@link ModelRoute}, {@link CircuitBreaker}). Each target gets up to
 * {@code retry.max-attempts} calls, with exponential backoff and jitter between them, while the
 * retry budget allows; then the next provider is tried. All of that happens only before the first
 * chunk reaches the client: after it, a failure ends the stream with an error event. Calls to a
 * provider hold a slot of that provider's own bulkhead; a provider whose bulkhead is full is
 * skipped for the next one, so a stalled provider costs only its own slots.
 */
public final class ChatRouter {
    private static final Logger LOG = LoggerFactory.getLogger(ChatRouter.class);

    private final Deployments deployments;
    private final ProviderBulkheads bulkheads;
    private final RetryBudget budget;
    private final LlmSettings.Retry retry;
    private final Relay relay;
    private final UpstreamLimiter limiter;
    private final Tracing tracing;
    private final AttemptSpans spans;

    public ChatRouter(Deployments deployments, ProviderBulkheads bulkheads, LlmSettings s, LlmMeters meters,
                      UpstreamLimiter limiter, Tracing tracing) {
        this.tracing = tracing;
        this.spans = new AttemptSpans(tracing);
        this.deployments = deployments;
        this.limiter = limiter;
        this.bulkheads = bulkheads;
        this.budget = new RetryBudget(s.retry());
        this.retry = s.retry();
        this.relay = new Relay(s, meters);
    }

    /** Every target's live state: breakers, calls in flight, latency. */
    public Deployments deployments() {
        return deployments;
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
        ModelRoute route = deployments.route(model);
        // Every target shut by its breaker: try them all, in order, rather than refuse (a single-target model always calls).
        boolean anyState = !route.anyAvailable(System.nanoTime());
        UpstreamException last = null;
        Provider provider = null;
        while (true) {
            targets:
            for (int tier = 0; tier < route.tiers(); tier++) {
                long tried = 0;
                for (int index; (index = route.pick(tier, tried, anyState, System.nanoTime())) >= 0; ) {
                    tried |= 1L << index;
                    Deployment target = route.target(tier, index);
                    int ticket = anyState ? CircuitBreaker.CALL : target.tryAcquire(System.nanoTime());
                    if (ticket == CircuitBreaker.REFUSED) {
                        continue;   // shut between the look and the ticket
                    }
                    boolean fallback = provider != null;
                    provider = target.upstream();
                    Permit slot;
                    try {
                        slot = bulkheads.acquire(provider.name());
                    } catch (UpstreamException refused) {
                        target.neutral(ticket);
                        last = refused;
                        if (refused.next() == Next.GIVE_UP) {
                            break targets;
                        }
                        LOG.warn("model {}: {}; falling back", model.name(), refused.getMessage());
                        continue;
                    }
                    target.enter();
                    try (slot) {
                        for (int attempt = 1; ; attempt++) {
                            if (out != null) {
                                out.provider(provider);
                            }
                            limiter.acquire(provider.name());   // the provider's adaptive rate: a bounded wait, or 503
                            Relay.Outcome outcome = call(provider, target, attempt, fallback, request, out, tally);
                            limiter.record(provider.name(), upstreamFailed(outcome));
                            report(target, ticket, outcome);
                            ticket = CircuitBreaker.CALL;   // a probe reports once; its retries count as plain calls
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
                            boolean open = !anyState && target.open();
                            if (!retryable || open || !budget.tryRetry()) {
                                LOG.warn("model {}: provider {} attempt {} failed ({}); {}", model.name(), provider.name(), attempt,
                                         last.getMessage(), open ? "its circuit breaker opened, falling back"
                                                 : retryable ? "retry budget spent, falling back" : "falling back");
                                break;   // on to the next target
                            }
                            Duration delay = backoff(attempt, last.retryAfter());
                            LOG.info("model {}: provider {} attempt {} failed ({}); retrying in {} ms", model.name(),
                                     provider.name(), attempt, last.getMessage(), delay.toMillis());
                            try {
                                if (!relay.pause(delay, out)) {
                                    last = Relay.deadlineExceeded();
                                    break targets;
                                }
                            } catch (ClientGoneException e) {
                                return result(ChatResult.Status.CLIENT_GONE, provider, tally, request, null);
                            }
                        }
                    } finally {
                        target.leave();
                        if (ticket == CircuitBreaker.PROBE) {
                            target.neutral(ticket);   // left before its call reported (a limit refused it): the slot goes back
                        }
                    }
                }
            }
            if (provider != null || anyState) {
                break;
            }
            anyState = true;   // every target shut between the first look and the choices: try them all rather than refuse
        }
        if (out != null && out.committed()) {
            return endStream(out, last, provider, tally, request);
        }
        throw last.toApiException();
    }

    /** Tells the target's breaker how a call went; failures are the upstream's own (5xx, timeouts), not our limits or the client. */
    private static void report(Deployment target, int ticket, Relay.Outcome outcome) {
        long now = System.nanoTime();
        switch (outcome.kind()) {
            case DONE -> {
                target.success(ticket, now);
                target.latency(outcome.firstChunkNanos());
            }
            case CLIENT_GONE -> target.neutral(ticket);
            default -> {
                String code = outcome.error().code();
                boolean ours = code.equals(ErrorCode.UPSTREAM_BUSY.code()) || code.equals(ErrorCode.DEADLINE_EXCEEDED.code());
                if (outcome.error().status() >= 500 && !ours) {
                    target.failure(ticket, now);
                } else {
                    target.neutral(ticket);
                }
            }
        }
    }

    /** One upstream attempt, in its trace span (a no-op when tracing is off). */
    private Relay.Outcome call(Provider provider, Deployment target, int attempt, boolean fallback, ChatRequest request,
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
