package io.sluice.limits;

import java.time.Duration;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * The two admission limits: API requests in flight, and streaming responses in flight. A caller
 * that finds no permit gets 503 with Retry-After within one queue timeout, counted from the moment
 * its request arrived (see {@link Arrivals}): the time before admission and the request permit's
 * wait come out of it, and a stream waits only for what is left of it, never a second full timeout.
 */
public final class Admission {
    private final AdmissionSettings settings;
    private final BoundedSemaphore requests;
    private final BoundedSemaphore streams;
    // When the current thread's request began waiting for admission. A request runs on one (virtual)
    // thread from the admission filter to its handler, so the streaming wait finds its start here.
    private final ThreadLocal<Long> admissionStart = new ThreadLocal<>();
    private volatile boolean draining;
    private volatile boolean leaving;   // stopping soon: readiness fails, requests are still admitted

    public Admission(AdmissionSettings s) {
        this.settings = s;
        this.requests = new BoundedSemaphore("requests", s.maxConcurrentRequests(), Integer.MAX_VALUE,
                                             refuser("requests", s.maxConcurrentRequests()));
        this.streams = new BoundedSemaphore("streaming", s.maxConcurrentStreaming(), Integer.MAX_VALUE,
                                            refuser("streaming", s.maxConcurrentStreaming()));
    }

    private BoundedSemaphore.Refuser refuser(String limit, int max) {
        return (why, waited) -> why == BoundedSemaphore.Refusal.INTERRUPTED
                ? ApiException.unavailable(ErrorCode.INTERRUPTED, "request interrupted while waiting for admission", settings.retryAfter())
                : ApiException.unavailable(ErrorCode.OVERLOADED, "server busy: all " + max + " " + limit + " permits in use for "
                        + settings.queueTimeout().toMillis() + " ms; retry later", settings.retryAfter());
    }

    public Permit acquireRequest() {
        return acquireRequest(System.nanoTime());
    }

    /** A request permit, waiting at most what is left of the queue timeout since {@code arrivedNanos}. */
    public Permit acquireRequest(long arrivedNanos) {
        if (draining) {
            throw ApiException.unavailable(ErrorCode.SHUTTING_DOWN, "server is shutting down; retry on another instance",
                                           settings.retryAfter());
        }
        Permit permit = requests.acquire(left(arrivedNanos));
        admissionStart.set(arrivedNanos);
        return () -> {
            admissionStart.remove();
            permit.close();
        };
    }

    /** Held for a streaming response's whole life, inside the request permit; waits only what is left of the queue timeout. */
    public Permit acquireStream() {
        Long start = admissionStart.get();
        return streams.acquire(start == null ? settings.queueTimeout() : left(start));
    }

    /** What is left of the queue timeout for a request that arrived at {@code start}. */
    private Duration left(long start) {
        return Duration.ofNanos(Math.max(0, settings.queueTimeout().toNanos() - (System.nanoTime() - start)));
    }

    public void registerMeters(MeterRegistry registry) {
        for (BoundedSemaphore limit : new BoundedSemaphore[] {requests, streams}) {
            limit.registerMeters(registry, "sluice.admission", Tag.create("limit", limit.name()), "waiting");
        }
    }

    public AdmissionSettings settings() {
        return settings;
    }

    public BoundedSemaphore requests() {
        return requests;
    }

    public BoundedSemaphore streams() {
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

    /**
     * The first step of a stop with admission.drain-delay: readiness fails so that a load balancer takes
     * this instance out of rotation, while requests that still arrive meanwhile are served, not refused.
     */
    public void announceLeaving() {
        leaving = true;
    }

    /** True from {@link #announceLeaving()} or {@link #drain} on: what readiness and status report. */
    public boolean draining() {
        return draining || leaving;
    }
}
