package io.sluice.limits;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * The one limit behind admission and the bulkheads: a fair semaphore of {@code max} permits, at
 * most {@code maxQueue} callers waiting, each for at most the wait it asks for. A caller that finds
 * the queue full, waits in vain or is interrupted gets the exception its owner builds for that
 * {@link Refusal} (a 503 with Retry-After); the first two are counted as rejected. Permits release exactly once.
 */
public final class BoundedSemaphore {
    /** Why a caller got no permit. */
    public enum Refusal { QUEUE_FULL, TIMEOUT, INTERRUPTED }

    /** Builds the error a refused caller sees; {@code waited} is the wait it was granted. */
    @FunctionalInterface
    public interface Refuser {
        RuntimeException refuse(Refusal why, Duration waited);
    }

    private final String name;
    private final int max;
    private final int maxQueue;
    private final Refuser refuser;
    private final Semaphore semaphore;
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    public BoundedSemaphore(String name, int max, int maxQueue, Refuser refuser) {
        this.name = name;
        this.max = max;
        this.maxQueue = maxQueue;
        this.refuser = refuser;
        this.semaphore = new Semaphore(max, true);
    }

    /** A permit, waiting at most {@code wait} (zero: only a free one, never ahead of those already waiting). */
    public Permit acquire(Duration wait) {
        boolean acquired;
        try {
            // tryAcquire(0, ...) honours fairness, unlike tryAcquire(): no barging past the queue.
            acquired = semaphore.tryAcquire(0, TimeUnit.NANOSECONDS) || awaitPermit(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refuser.refuse(Refusal.INTERRUPTED, wait);
        }
        if (!acquired) {
            rejected.increment();
            throw refuser.refuse(Refusal.TIMEOUT, wait);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                semaphore.release();
            }
        };
    }

    private boolean awaitPermit(Duration wait) throws InterruptedException {
        if (waiting.incrementAndGet() > maxQueue) {
            waiting.decrementAndGet();
            rejected.increment();
            throw refuser.refuse(Refusal.QUEUE_FULL, Duration.ZERO);
        }
        try {
            return wait.isPositive() && semaphore.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }

    /**
     * Gauges {@code <prefix>.in.flight}, {@code <prefix>.<waitingName>}, {@code <prefix>.max} and the
     * counter {@code <prefix>.rejected}, tagged; the names are what dashboards and alerts use.
     */
    public void registerMeters(MeterRegistry registry, String prefix, Tag tag, String waitingName) {
        List<Tag> tags = List.of(tag);
        gauge(registry, prefix + ".in.flight", "permits in use", tags, this::inFlight);
        gauge(registry, prefix + "." + waitingName, "callers waiting for a permit", tags, this::waiting);
        gauge(registry, prefix + ".max", "configured limit", tags, () -> max);
        registry.getOrCreate(FunctionalCounter.builder(prefix + ".rejected", this, BoundedSemaphore::rejected)
                                     .description("callers refused with 503: queue full or queue timeout")
                                     .tags(tags));
    }

    private static void gauge(MeterRegistry registry, String name, String description, List<Tag> tags,
                              java.util.function.IntSupplier value) {
        registry.getOrCreate(Gauge.builder(name, () -> (double) value.getAsInt()).description(description).tags(tags));
    }

    public String name() {
        return name;
    }

    public int max() {
        return max;
    }

    public int inFlight() {
        return max - semaphore.availablePermits();
    }

    public int waiting() {
        return waiting.get();
    }

    public long rejected() {
        return rejected.sum();
    }
}
