package io.sluice.llm;

import java.time.Duration;

import io.sluice.http.ErrorCode;
import io.sluice.http.Text;
import io.sluice.llm.UpstreamException.Next;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits on one {@link Attempt} in the request thread and passes what arrives to the client. Every
 * wait is bounded by the nearest deadline: the first chunk, the idle gap between chunks, the total
 * call time, and the next ping or probe due to the client. A missed deadline or a departed client
 * cancels the upstream call. What arrives is checked as it passes (a cheap scan, not a re-parse):
 * an answer that is not a chat.completion, a chunk that is not a chunk, is an invalid response.
 */
final class Relay {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    private static final Duration FINISH_GRACE = Duration.ofMillis(200);

    enum Kind { DONE, CLIENT_GONE, FAILED_BEFORE_FIRST_CHUNK, FAILED_AFTER_FIRST_CHUNK }

    /** @param firstChunkNanos time to the first chunk (to the whole answer if not streamed) of a DONE call; else 0 */
    record Outcome(Kind kind, UpstreamException error, byte[] body, long firstChunkNanos) {
        static Outcome failed(boolean relayed, UpstreamException error) {
            return new Outcome(relayed ? Kind.FAILED_AFTER_FIRST_CHUNK : Kind.FAILED_BEFORE_FIRST_CHUNK, error, null, 0);
        }
    }

    private final long firstByteNanos;
    private final long idleNanos;
    private final long totalNanos;
    private final long answerFirstByteNanos;
    private final StreamKeepAlive keepAlive;
    private final LlmMeters meters;
    private final CallDeadline callDeadline;

    Relay(LlmSettings settings, LlmMeters meters) {
        LlmSettings.Upstream s = settings.upstream();
        this.firstByteNanos = s.firstByteTimeout().toNanos();
        this.idleNanos = s.idleTimeout().toNanos();
        this.totalNanos = s.totalTimeout().toNanos();
        this.answerFirstByteNanos = s.answerFirstByteTimeout().toNanos();
        this.keepAlive = new StreamKeepAlive(settings.clientProbeInterval().toNanos());
        this.meters = meters;
        this.callDeadline = new CallDeadline(answerFirstByteNanos, totalNanos);
    }

    /**
     * A non-streamed call, made on the request's own thread: there is nothing to relay while it
     * runs, so a second thread and a hand-over queue (an {@link Attempt}) would only add two thread
     * switches per request. Deadlines hold all the same: the first-byte and total timeouts interrupt
     * this thread ({@link CallDeadline}), as does the request deadline; an interrupt closes the upstream socket.
     */
    Outcome complete(Provider provider, UpstreamBody body, Tally tally) {
        String name = provider.name();
        long start = System.nanoTime();
        CallDeadline.Call clock = callDeadline.start();
        Answer answer = new Answer(clock);
        try {
            provider.call(body, false, answer);
        } catch (UpstreamException e) {
            meters.call(name, e.code());
            return Outcome.failed(false, e);
        } catch (InterruptedException e) {
            // The total timeout or the request deadline. The interrupt is consumed here on purpose:
            // left set, it would close the next socket this thread touches (the database, to store the reply).
            Thread.interrupted();
            if (clock.expired()) {
                meters.call(name, "timeout");
                return Outcome.failed(false, clock.expiredBeforeStart()
                        ? UpstreamException.timeout(name, "did not start its answer within " + answerFirstByteNanos / 1_000_000 + " ms")
                        : timeout(name, false, true));
            }
            return Outcome.failed(false, deadlineExceeded());
        } catch (RuntimeException e) {
            LOG.warn("provider {} failed unexpectedly", name, e);
            UpstreamException broken = UpstreamException.broken(name, "internal error");
            meters.call(name, broken.code());
            return Outcome.failed(false, broken);
        } finally {
            clock.close();
        }
        if (answer.json == null) {
            meters.call(name, "upstream_error");
            return Outcome.failed(false, UpstreamException.broken(name, "ended without an answer"));
        }
        return accept(name, answer.json, start, tally);
    }

    /** A whole answer, checked: a chat.completion is DONE, anything else an invalid response (retried like other failures). */
    private Outcome accept(String provider, byte[] json, long start, Tally tally) {
        CompletionScan completion = CompletionScan.of(json);
        if (!completion.valid()) {
            meters.call(provider, ErrorCode.UPSTREAM_INVALID_RESPONSE.code());
            return Outcome.failed(false, UpstreamException.invalid(provider, completion.problem()));
        }
        long firstChunk = System.nanoTime() - start;
        meters.firstChunk(provider, firstChunk);
        meters.call(provider, "ok");
        tally.body(completion);
        return new Outcome(Kind.DONE, null, json, firstChunk);
    }

    /** Keeps a non-streamed answer; a provider that streams anyway has broken the contract. */
    private static final class Answer implements Provider.Delivery {
        private final CallDeadline.Call clock;
        private byte[] json;

        Answer(CallDeadline.Call clock) {
            this.clock = clock;
        }

        @Override
        public void started() {
            clock.started();
        }

        @Override
        public void chunk(String data) {
            throw new IllegalStateException("a chunk in a non-streamed answer");
        }

        @Override
        public void done() {
        }

        @Override
        public void body(byte[] bytes) {
            json = bytes;
        }
    }

    /** Relays one attempt to {@code out} (null: a non-streamed call, which only has the total deadline). */
    Outcome drive(Attempt call, ChatRequest request, SseWriter out, Tally tally) {
        String provider = call.provider().name();
        long start = System.nanoTime();
        long lastChunk = start;
        long firstChunk = 0;
        boolean relayed = false;
        try {
            while (true) {
                long now = System.nanoTime();
                long end = start + totalNanos;
                if (out != null) {
                    end = Math.min(end, relayed ? lastChunk + idleNanos : start + firstByteNanos);
                }
                if (now >= end) {
                    call.cancel();
                    meters.call(provider, "timeout");
                    return Outcome.failed(relayed, timeout(provider, relayed, now - start >= totalNanos));
                }
                long wait = out == null ? end - now : Math.min(end - now, keepAlive.nextWrite(out, now));
                Attempt.Event event = call.poll(wait);
                if (event == null) {
                    if (out != null) {
                        keepAlive.write(out, System.nanoTime());
                    }
                    continue;
                }
                switch (event) {
                    case Attempt.Chunk c -> {
                        if (!relayed) {
                            firstChunk = System.nanoTime() - start;
                            meters.firstChunk(provider, firstChunk);
                            relayed = true;
                        }
                        lastChunk = System.nanoTime();
                        Tally.Verdict verdict = tally.chunk(c.data(), request.includeUsage());
                        if (verdict == Tally.Verdict.INVALID) {
                            call.cancel();
                            meters.call(provider, ErrorCode.UPSTREAM_INVALID_RESPONSE.code());
                            return Outcome.failed(relayed, UpstreamException.invalid(provider, "a chunk that is not a "
                                    + "chat.completion.chunk: " + Text.clip(c.data(), 80)));
                        }
                        if (verdict == Tally.Verdict.RELAY) {
                            out.data(c.data());
                        }
                    }
                    case Attempt.Body b -> {
                        Outcome outcome = accept(provider, b.json(), start, tally);
                        call.finish(FINISH_GRACE);
                        return outcome;
                    }
                    case Attempt.End e -> {
                        if (out == null) {
                            meters.call(provider, "upstream_error");
                            return Outcome.failed(false, UpstreamException.broken(provider, "ended without an answer"));
                        }
                        meters.call(provider, "ok");
                        out.done();
                        call.finish(FINISH_GRACE);
                        return new Outcome(Kind.DONE, null, null, firstChunk);
                    }
                    case Attempt.Failed f -> {
                        meters.call(provider, f.error().code());
                        return Outcome.failed(relayed, f.error());
                    }
                }
            }
        } catch (ClientGoneException e) {
            call.cancel();
            meters.call(provider, "client_gone");
            return new Outcome(Kind.CLIENT_GONE, null, null, 0);
        } catch (InterruptedException e) {
            // The request deadline interrupted this thread. The interrupt is consumed here on purpose:
            // left set, it would close the next socket this thread touches (the database, to store the reply).
            call.cancel();
            return Outcome.failed(relayed, deadlineExceeded());
        }
    }

    /** Waits between retries, still pinging the client; false when the request deadline interrupted the wait. */
    boolean pause(Duration delay, SseWriter out) {
        return keepAlive.pause(delay, out);
    }

    static UpstreamException deadlineExceeded() {
        return new UpstreamException(ErrorCode.DEADLINE_EXCEEDED, "request exceeded the server's deadline", Next.GIVE_UP, null);
    }

    private UpstreamException timeout(String provider, boolean relayed, boolean total) {
        if (total) {
            return UpstreamException.timeout(provider, "did not finish within " + totalNanos / 1_000_000 + " ms");
        }
        return relayed
                ? UpstreamException.timeout(provider, "stalled: no chunk for " + idleNanos / 1_000_000 + " ms")
                : UpstreamException.timeout(provider, "sent no first chunk within " + firstByteNanos / 1_000_000 + " ms");
    }
}
