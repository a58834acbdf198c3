package io.sluice.loadtest.upstream;

import java.util.concurrent.atomic.AtomicLong;

/** Counters served at GET /sim/stats, so a benchmark can see what the upstream itself saw. */
public final class SimStats {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong maxInFlight = new AtomicLong();
    private final AtomicLong streamed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong clientGone = new AtomicLong();

    void started() {
        requests.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void finished() {
        inFlight.decrementAndGet();
    }

    void streamed() {
        streamed.incrementAndGet();
    }

    void completed() {
        completed.incrementAndGet();
    }

    void error() {
        errors.incrementAndGet();
    }

    void stall() {
        stalls.incrementAndGet();
    }

    void clientGone() {
        clientGone.incrementAndGet();
    }

    public long inFlight() {
        return inFlight.get();
    }

    public long requests() {
        return requests.get();
    }

    /** The counters as JSON; {@code resetPeak} starts a new peak from the current in-flight count. */
    public String json(boolean resetPeak) {
        long peak = resetPeak ? maxInFlight.getAndSet(inFlight.get()) : maxInFlight.get();
        return "{\"requests\":" + requests.get()
                + ",\"in_flight\":" + inFlight.get()
                + ",\"max_in_flight\":" + peak
                + ",\"streamed\":" + streamed.get()
                + ",\"completed\":" + completed.get()
                + ",\"errors\":" + errors.get()
                + ",\"stalls\":" + stalls.get()
                + ",\"client_gone\":" + clientGone.get() + "}";
    }
}
