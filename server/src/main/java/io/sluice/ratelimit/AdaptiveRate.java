package io.sluice.ratelimit;

import java.util.function.LongSupplier;

/**
 * One upstream's AIMD-style rate (requests/s): every {@code interval} with at least
 * {@code minSamples} outcomes it drops by {@code decreaseFactor} when the error share passed
 * {@code errorThreshold}, rises by {@code increaseFactor} when it fell under {@code recoverThreshold},
 * always kept within [min, max]. Calls are paced by a token bucket holding one second's worth.
 */
public final class AdaptiveRate {
    private final RateLimitSettings.Upstream s;
    private final LongSupplier nanos;
    private double rate;
    private double tokens;
    private long refilledAt;
    private long periodStart;
    private int samples;
    private int errors;

    public AdaptiveRate(RateLimitSettings.Upstream s, LongSupplier nanos) {
        this.s = s;
        this.nanos = nanos;
        this.rate = s.initialRate();
        this.tokens = Math.max(1, rate);
        this.refilledAt = nanos.getAsLong();
        this.periodStart = refilledAt;
    }

    public synchronized double rate() {
        return rate;
    }

    /**
     * Reserves a call slot: 0 to go now, a positive wait in nanoseconds to go after it (the slot is
     * held), or -1 when the wait would exceed max-wait (nothing is reserved; refuse the call).
     */
    public synchronized long reserve() {
        long now = nanos.getAsLong();
        tokens = Math.min(Math.max(1, rate), tokens + (now - refilledAt) / 1e9 * rate);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        long wait = (long) Math.ceil((1 - tokens) / rate * 1e9);
        if (wait > s.maxWait().toNanos()) {
            return -1;
        }
        tokens -= 1;
        return wait;
    }

    /** Records one upstream call's outcome and adjusts the rate at the end of each interval. */
    public synchronized void record(boolean failed) {
        samples++;
        if (failed) {
            errors++;
        }
        long now = nanos.getAsLong();
        if (now - periodStart < s.interval().toNanos() || samples < s.minSamples()) {
            return;
        }
        double share = errors / (double) samples;
        if (share > s.errorThreshold()) {
            rate = Math.max(s.minRate(), rate * s.decreaseFactor());
        } else if (share < s.recoverThreshold()) {
            rate = Math.min(s.maxRate(), rate * s.increaseFactor());
        }
        tokens = Math.min(tokens, Math.max(1, rate));
        samples = 0;
        errors = 0;
        periodStart = now;
    }
}
