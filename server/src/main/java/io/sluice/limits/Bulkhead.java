package io.sluice.limits;

import java.time.Duration;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * Limits one service's upstream calls: at most {@code maxConcurrent} in flight and at most
 * {@code maxQueue} waiting. A caller that finds the queue full is refused at once (503 +
 * Retry-After); a caller that waits past the queue timeout gets 503 too. A slow upstream of one
 * service can then never take every request thread of the others.
 */
public final class Bulkhead {
    private final String service;
    private final int maxQueue;
    private final Duration queueTimeout;
    private final BoundedSemaphore slots;

    public Bulkhead(BulkheadSettings s, Duration retryAfter) {
        this.service = s.service();
        this.maxQueue = s.maxQueue();
        this.queueTimeout = s.queueTimeout();
        this.slots = new BoundedSemaphore(s.service(), s.maxConcurrent(), s.maxQueue(), (why, waited) -> switch (why) {
            case QUEUE_FULL -> ApiException.unavailable(ErrorCode.BULKHEAD_FULL, service + " is at capacity: " + s.maxConcurrent()
                    + " calls in flight and " + maxQueue + " waiting; retry later", retryAfter);
            case TIMEOUT -> ApiException.unavailable(ErrorCode.BULKHEAD_TIMEOUT, "no " + service + " slot became free within "
                    + queueTimeout.toMillis() + " ms; retry later", retryAfter);
            case INTERRUPTED -> ApiException.unavailable(ErrorCode.INTERRUPTED, "request interrupted while waiting for " + service,
                                                         retryAfter);
        });
    }

    public Permit acquire() {
        return slots.acquire(queueTimeout);
    }

    BoundedSemaphore slots() {
        return slots;
    }

    public String service() {
        return service;
    }

    public int maxConcurrent() {
        return slots.max();
    }

    public int maxQueue() {
        return maxQueue;
    }

    public int inFlight() {
        return slots.inFlight();
    }

    public int queued() {
        return slots.waiting();
    }

    public long rejected() {
        return slots.rejected();
    }
}
