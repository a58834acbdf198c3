package io.sluice.llm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One target's circuit breaker, without locks: the state is an atomic int moved by compare-and-set,
 * the failure share over the window lives in ten buckets of one packed {@code long} each (epoch,
 * calls, failures), so recording a call is one CAS and reading the share ten volatile reads.
 * <p>
 * CLOSED: every call passes; {@code consecutive-failures} failures in a row, or a failure share of
 * {@code failure-percent} over at least {@code min-calls} calls in the window, open it. OPEN: no
 * calls until the cooldown is over. HALF_OPEN: {@code half-open-probes} probe calls pass; all of
 * them succeeding closes it, one failing opens it for another cooldown. A probe that ends neither
 * way (the client left) gives its slot back; probes that never report (a lost ticket) are re-armed
 * after a cooldown, so the breaker can never stay half-open for good.
 */
final class CircuitBreaker {
    enum State { CLOSED, OPEN, HALF_OPEN }

    /** What {@link #tryAcquire} grants. */
    static final int REFUSED = 0;
    static final int CALL = 1;
    static final int PROBE = 2;

    private static final int BUCKETS = 10;
    private static final int COUNT_BITS = 20;
    private static final long COUNT_MAX = (1L << COUNT_BITS) - 1;
    private static final long EPOCH_MASK = (1L << (64 - 2 * COUNT_BITS)) - 1;

    private final LlmSettings.Breaker settings;
    private final long bucketNanos;
    private final long cooldownNanos;
    private final AtomicInteger state = new AtomicInteger(State.CLOSED.ordinal());
    private final AtomicInteger consecutive = new AtomicInteger();
    private final AtomicInteger probesLeft = new AtomicInteger();
    private final AtomicInteger probeSuccesses = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
    private volatile long until;   // OPEN: end of the cooldown; HALF_OPEN: when unreported probes are re-armed

    CircuitBreaker(LlmSettings.Breaker settings) {
        this.settings = settings;
        this.bucketNanos = Math.max(1, settings.window().toNanos() / BUCKETS);
        this.cooldownNanos = settings.cooldown().toNanos();
    }

    State state() {
        return State.values()[state.get()];
    }

    /** How many times it has opened. */
    long opened() {
        return opened.get();
    }

    /** Whether {@link #tryAcquire} would grant a call now (a read only; racing callers may still be refused). */
    boolean available(long now) {
        int s = state.get();
        if (s == State.CLOSED.ordinal()) {
            return true;
        }
        return now - until >= 0 || (s == State.HALF_OPEN.ordinal() && probesLeft.get() > 0);
    }

    /** {@link #CALL} when closed, {@link #PROBE} when a probe slot was taken, else {@link #REFUSED}. */
    int tryAcquire(long now) {
        while (true) {
            int s = state.get();
            if (s == State.CLOSED.ordinal()) {
                return CALL;
            }
            if (s == State.OPEN.ordinal()) {
                if (now - until < 0) {
                    return REFUSED;
                }
                if (state.compareAndSet(s, State.HALF_OPEN.ordinal())) {
                    arm(now);
                }
                continue;
            }
            if (now - until >= 0) {   // half-open, and earlier probes never reported: let new ones through
                arm(now);
            }
            for (int left = probesLeft.get(); left > 0; left = probesLeft.get()) {
                if (probesLeft.compareAndSet(left, left - 1)) {
                    return PROBE;
                }
            }
            return REFUSED;
        }
    }

    private void arm(long now) {
        until = now + cooldownNanos;
        probeSuccesses.set(0);
        probesLeft.set(settings.halfOpenProbes());
    }

    void success(int ticket, long now) {
        count(now, false);
        if (ticket == PROBE) {
            if (probeSuccesses.incrementAndGet() >= settings.halfOpenProbes()
                    && state.compareAndSet(State.HALF_OPEN.ordinal(), State.CLOSED.ordinal())) {
                consecutive.set(0);
                for (int i = 0; i < BUCKETS; i++) {
                    buckets.set(i, 0);   // a fresh window: the failures that opened it are history
                }
            }
        } else if (consecutive.get() != 0) {
            consecutive.set(0);   // read first: no write to a shared line on the common path
        }
    }

    void failure(int ticket, long now) {
        count(now, true);
        if (ticket == PROBE) {
            open(State.HALF_OPEN, now);
            return;
        }
        int row = consecutive.incrementAndGet();
        if (state.get() == State.CLOSED.ordinal() && (row >= settings.consecutiveFailures() || shareExceeded(now))) {
            open(State.CLOSED, now);
        }
    }

    /** A call that ended neither way (the client left, the request's deadline): a probe gives its slot back. */
    void neutral(int ticket) {
        if (ticket == PROBE && state.get() == State.HALF_OPEN.ordinal()) {
            probesLeft.incrementAndGet();
        }
    }

    private void open(State from, long now) {
        until = now + cooldownNanos;
        if (state.compareAndSet(from.ordinal(), State.OPEN.ordinal())) {
            probesLeft.set(0);
            opened.incrementAndGet();
        }
    }

    /** Calls and failed calls in the window: {@code [calls, failures]} packed as calls << 32 | failures. */
    long window(long now) {
        long epoch = (now / bucketNanos) & EPOCH_MASK;
        long calls = 0;
        long failures = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long v = buckets.get(i);
            if (((epoch - epochOf(v)) & EPOCH_MASK) < BUCKETS) {
                calls += (v >>> COUNT_BITS) & COUNT_MAX;
                failures += v & COUNT_MAX;
            }
        }
        return calls << 32 | failures;
    }

    private boolean shareExceeded(long now) {
        long w = window(now);
        long calls = w >>> 32;
        long failures = w & 0xFFFF_FFFFL;
        return calls >= settings.minCalls() && failures * 100 >= calls * settings.failurePercent();
    }

    private void count(long now, boolean failed) {
        long epoch = (now / bucketNanos) & EPOCH_MASK;
        int i = (int) (epoch % BUCKETS);
        while (true) {
            long v = buckets.get(i);
            long calls = epochOf(v) == epoch ? (v >>> COUNT_BITS) & COUNT_MAX : 0;
            long failures = epochOf(v) == epoch ? v & COUNT_MAX : 0;
            long next = epoch << (2 * COUNT_BITS) | Math.min(calls + 1, COUNT_MAX) << COUNT_BITS
                    | Math.min(failures + (failed ? 1 : 0), COUNT_MAX);
            if (buckets.compareAndSet(i, v, next)) {
                return;
            }
        }
    }

    private static long epochOf(long v) {
        return v >>> (2 * COUNT_BITS);
    }
}
