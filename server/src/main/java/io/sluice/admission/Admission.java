package io.sluice.admission;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.sluice.limits.AdmissionSettings;
import io.sluice.http.ApiException;

/**
 * The two admission limits: API requests in flight, and streaming responses in flight. A caller
 * that finds no permit waits at most the queue timeout, then gets 503 with Retry-After. Permits
 * are {@link AutoCloseable} and release exactly once, whatever path the request takes.
 */
public final class Admission {
    private final Limit requests;
    private final Limit streams;
    private final Duration queueTimeout;
    private final Duration retryAfter;
    private final AdmissionSettings settings;
    private volatile boolean draining;

    public Admission(AdmissionSettings s) {
        this.settings = s;
        this.requests = new Limit("requests", s.maxConcurrentRequests());
        this.streams = new Limit("streaming", s.maxConcurrentStreaming());
        this.queueTimeout = s.queueTimeout();
        this.retryAfter = s.retryAfter();
    }

    /** A held permit; closing it more than once is harmless. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    public Permit acquireRequest() {
        if (draining) {
            throw ApiException.unavailable("shutting_down", "server is shutting down; retry on another instance", retryAfter);
        }
        return requests.acquire();
    }

    /** Held for a streaming response's whole life, inside the request permit. */
    public Permit acquireStream() {
        return streams.acquire();
    }

    public AdmissionSettings settings() {
        return settings;
    }

    public Limit requests() {
        return requests;
    }

    public Limit streams() {
        return streams;
    }

    /** Stops admitting new requests and waits (bounded) until in-flight ones have finished. */
    public boolean drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.inFlight() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    public boolean draining() {
        return draining;
    }

    /** One semaphore with the counters an operator wants to see. */
    public final class Limit {
        private final String name;
        private final int max;
        private final Semaphore semaphore;
        private final AtomicInteger waiting = new AtomicInteger();
        private final LongAdder rejected = new LongAdder();

        Limit(String name, int max) {
            this.name = name;
            this.max = max;
            this.semaphore = new Semaphore(max, true);
        }

        Permit acquire() {
            boolean acquired;
            waiting.incrementAndGet();
            try {
                acquired = semaphore.tryAcquire(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("interrupted", "request interrupted while waiting for admission", retryAfter);
            } finally {
                waiting.decrementAndGet();
            }
            if (!acquired) {
                rejected.increment();
                throw ApiException.unavailable("overloaded",
                        "server busy: all " + max + " " + name + " permits in use for " + queueTimeout.toMillis()
                                + " ms; retry later", retryAfter);
            }
            AtomicBoolean released = new AtomicBoolean();
            return () -> {
                if (released.compareAndSet(false, true)) {
                    semaphore.release();
                }
            };
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
}
