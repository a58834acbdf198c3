package io.sluice.llm;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one target ({@code provider:upstream-model}), shared by every model that routes
 * to it: its circuit breaker, the calls in flight to it and a moving average of its time to first
 * token. Reads and writes are single volatile or atomic operations: the router consults it on
 * every request.
 */
final class Deployment {
    /** Weight of the newest sample in the moving average (in tenths). */
    private static final int EWMA_TENTHS = 3;

    private final String provider;
    private final String model;
    private final Provider upstream;
    private final CircuitBreaker breaker;   // null: llm.breaker.enabled is false
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long latencyNanos;     // 0 until the first answer

    Deployment(String provider, String model, Provider upstream, CircuitBreaker breaker) {
        this.provider = provider;
        this.model = model;
        this.upstream = upstream;
        this.breaker = breaker;
    }

    String providerName() {
        return provider;
    }

    String model() {
        return model;
    }

    Provider upstream() {
        return upstream;
    }

    /** Whether the breaker would let a call through now. */
    boolean available(long now) {
        return breaker == null || breaker.available(now);
    }

    /** A ticket for one call: {@link CircuitBreaker#CALL}, {@link CircuitBreaker#PROBE} or {@link CircuitBreaker#REFUSED}. */
    int tryAcquire(long now) {
        return breaker == null ? CircuitBreaker.CALL : breaker.tryAcquire(now);
    }

    /** True while the breaker stands open (a target that opened mid-retries is left for the next one). */
    boolean open() {
        return breaker != null && breaker.state() == CircuitBreaker.State.OPEN;
    }

    void success(int ticket, long now) {
        if (breaker != null) {
            breaker.success(ticket, now);
        }
    }

    void failure(int ticket, long now) {
        if (breaker != null) {
            breaker.failure(ticket, now);
        }
    }

    void neutral(int ticket) {
        if (breaker != null) {
            breaker.neutral(ticket);
        }
    }

    void enter() {
        inFlight.incrementAndGet();
    }

    void leave() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** A new time to first token (racy on purpose: a lost sample among concurrent ones does not matter). */
    void latency(long nanos) {
        long old = latencyNanos;
        latencyNanos = old == 0 ? Math.max(1, nanos) : Math.max(1, old + (nanos - old) * EWMA_TENTHS / 10);
    }

    /** The moving average of the time to first token; 0 before any answer. */
    long latencyNanos() {
        return latencyNanos;
    }

    CircuitBreaker.State state() {
        return breaker == null ? CircuitBreaker.State.CLOSED : breaker.state();
    }

    CircuitBreaker breaker() {
        return breaker;
    }
}
