package io.sluice.ratelimit;

import java.time.Duration;

/** A token bucket: {@code capacity} tokens, refilled at capacity per {@code window}. */
public record Limit(int capacity, Duration window) {
    /** Tokens per millisecond. */
    double refillPerMs() {
        return capacity / (double) window.toMillis();
    }
}
