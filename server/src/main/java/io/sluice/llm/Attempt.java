package io.sluice.llm;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream call, running on its own virtual thread, handing what it receives to the request
 * thread through a small bounded queue. The request thread waits on the queue with deadlines
 * (first byte, idle, total, next ping) and can end the call at any moment with {@link #cancel()}:
 * the interrupt closes the upstream socket, which is how a stalled upstream or a departed client
 * stops costing a connection. A slow client slows the upstream read (the queue is bounded).
 */
final class Attempt {
    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    sealed interface Event permits Chunk, Body, End, Failed {
    }

    record Chunk(String data) implements Event {
    }

    record Body(byte[] json) implements Event {
    }

    record End() implements Event {
    }

    record Failed(UpstreamException error) implements Event {
    }

    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(16);
    private final Provider provider;
    private volatile boolean cancelled;
    private volatile boolean ended;
    private Thread thread;

    private Attempt(Provider provider) {
        this.provider = provider;
    }

    /** Starts the call; {@code tracing} carries the attempt's span to the call's thread (for its traceparent). */
    static Attempt start(Provider provider, UpstreamBody body, boolean stream, Tracing tracing) {
        Attempt a = new Attempt(provider);
        a.thread = Thread.ofVirtual().name("llm-" + provider.name()).start(tracing.wrap(() -> a.run(body, stream)));
        return a;
    }

    private void run(UpstreamBody body, boolean stream) {
        try {
            provider.call(body, stream, new Provider.Delivery() {
                @Override
                public void chunk(String data) throws InterruptedException {
                    events.put(new Chunk(data));
                }

                @Override
                public void done() throws InterruptedException {
                    end(new End());
                }

                @Override
                public void body(byte[] json) throws InterruptedException {
                    events.put(new Body(json));
                    ended = true;
                }
            });
            end(new End());
        } catch (UpstreamException e) {
            end(new Failed(e));
        } catch (InterruptedException e) {
            // cancelled: nobody is listening any more
        } catch (RuntimeException e) {
            if (!cancelled) {
                LOG.warn("provider {} failed unexpectedly", provider.name(), e);
                end(new Failed(UpstreamException.broken(provider.name(), "internal error")));
            }
        }
    }

    /** The first outcome wins; anything after it (an error while draining after [DONE]) is nobody's business. */
    private void end(Event e) {
        if (ended || cancelled) {
            return;
        }
        ended = true;
        try {
            events.put(e);
        } catch (InterruptedException ignored) {
            // cancelled while handing over the end: nobody is listening
        }
    }

    Provider provider() {
        return provider;
    }

    /** The next event, or null when none arrives within the wait. */
    Event poll(long nanos) throws InterruptedException {
        return events.poll(Math.max(1, nanos), TimeUnit.NANOSECONDS);
    }

    /**
     * After the answer is complete, gives the call a moment to read the end of the response, so its
     * connection goes back to the keep-alive pool before the next request; a call that lingers is cancelled.
     */
    void finish(Duration grace) {
        try {
            if (!thread.join(grace)) {
                cancel();
            }
        } catch (InterruptedException e) {
            cancel();   // the request deadline: the answer is complete anyway (interrupt consumed, see Relay)
        }
    }

    /** Ends the call: interrupting a virtual thread blocked on a socket closes that socket. */
    void cancel() {
        cancelled = true;
        thread.interrupt();
    }
}
