package io.sluice.bulkhead;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.sluice.limits.BulkheadSettings;
import io.sluice.http.ApiException;

/**
 * Limits one service's upstream calls: at most {@code maxConcurrent} in flight and at most
 * {@code maxQueue} waiting. A caller that finds the queue full is refused at once (503 +
 * Retry-After); a caller that waits past the queue timeout gets 503 too. A slow upstream of one
 * service can then never take every request thread of the others.
 */
public final class Bulkhead {
    private final String service;
    private final int maxConcurrent;
    private final int maxQueue;
    private final Duration queueTimeout;
    private final Duration retryAfter;
    private final Semaphore slots;
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    public Bulkhead(BulkheadSettings s, Duration retryAfter) {
        this.service = s.service();
        this.maxConcurrent = s.maxConcurrent();
        this.maxQueue = s.maxQueue();
        this.queueTimeout = s.queueTimeout();
        this.retryAfter = retryAfter;
        this.slots = new Semaphore(maxConcurrent, true);
    }

    /** A held slot; closing it more than once is harmless. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    public Permit acquire() {
        if (!slots.tryAcquire()) {
            waitForSlot();
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                slots.release();
            }
        };
    }

    private void waitForSlot() {
        if (queued.incrementAndGet() > maxQueue) {
            queued.decrementAndGet();
            rejected.increment();
            throw ApiException.unavailable("bulkhead_full", service + " is at capacity: " + maxConcurrent
                    + " calls in flight and " + maxQueue + " waiting; retry later", retryAfter);
        }
        boolean acquired;
        try {
            acquired = slots.tryAcquire(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", "request interrupted while waiting for " + service, retryAfter);
        } finally {
            queued.decrementAndGet();
        }
        if (!acquired) {
            rejected.increment();
            throw ApiException.unavailable("bulkhead_timeout", "no " + service + " slot became free within "
                    + queueTimeout.toMillis() + " ms; retry later", retryAfter);
        }
    }

    public String service() {
        return service;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public int maxQueue() {
        return maxQueue;
    }

    public int inFlight() {
        return maxConcurrent - slots.availablePermits();
    }

    public int queued() {
        return queued.get();
    }

    public long rejected() {
        return rejected.sum();
    }
}
