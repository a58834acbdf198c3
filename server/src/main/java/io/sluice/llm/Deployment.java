package io.sluice.llm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live state of one target ({@code provider:upstream-model}), shared by every model that routes
 * to it: its circuit breaker, the calls in flight to it and a moving average of its time to first
 * token. Reads and writes are single volatile or atomic operations: the router consults it on
 * every request.
 *
 * <p>The moving average goes stale while lowest-latency routing passes the target over (one bad
 * sample would otherwise keep it away for good): each choice of another target counts, a sample
 * weighs more the staler the estimate was, and once the target was passed over about {@link #STALE_AFTER}
 * times the router sends it one probe call whose answer replaces the estimate outright.
 */
final class Deployment {
    /** Weight of the newest sample in the moving average (in tenths) while the estimate is fresh. */
    private static final int EWMA_TENTHS = 3;
    /** Choices of another target after which the estimate is stale: the target is probed and its next sample replaces it. */
    static final int STALE_AFTER = 64;
    /** {@link #passedOver} while a probe is out; a probe that brings no sample leaves it due again after 2 × STALE_AFTER passes. */
    private static final int PROBING = -STALE_AFTER;
    private static final VarHandle PASSED_OVER;

    static {
        try {
            PASSED_OVER = MethodHandles.lookup().findVarHandle(Deployment.class, "passedOver", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String provider;
    private final String model;
    private final Provider upstream;
    private final CircuitBreaker breaker;   // null: llm.breaker.enabled is false
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long latencyNanos;     // 0 until the first answer
    private volatile int passedOver;        // lowest-latency choices of another target since this one's; < 0: probe out

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

    /**
     * A new time to first token (racy on purpose: a lost sample among concurrent ones does not matter).
     * It weighs {@link #EWMA_TENTHS} while the estimate is fresh, more the staler it is, and all of it
     * when it answers a probe.
     */
    void latency(long nanos) {
        long old = latencyNanos;
        int stale = passedOver;
        int tenths = EWMA_TENTHS + Math.min(stale, STALE_AFTER) * (10 - EWMA_TENTHS) / STALE_AFTER;
        if (stale < 0) {   // the probe's answer
            tenths = 10;
            passedOver = 0;
        }
        latencyNanos = old == 0 ? Math.max(1, nanos) : Math.max(1, old + (nanos - old) * tenths / 10);
    }

    /**
     * Lowest-latency routing chose another target over this measured one, counted as {@code times}
     * (the router counts one choice in a few, as that many). Racy: a lost count only delays the probe.
     */
    void passedOver(int times) {
        int n = passedOver;
        if (n < STALE_AFTER) {   // saturates: no writes once the target is due for a probe
            passedOver = n + times;
        }
    }

    /** Lowest-latency routing chose this target: its traffic keeps the estimate fresh (a write only when it was stale). */
    void chosen() {
        if (passedOver != 0) {
            passedOver = 0;
        }
    }

    /** True, once, when the estimate is stale and this caller claimed the probe that renews it. */
    boolean claimProbe() {
        int n = passedOver;
        return n >= STALE_AFTER && PASSED_OVER.compareAndSet(this, n, PROBING);
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
