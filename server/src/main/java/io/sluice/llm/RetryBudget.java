package io.sluice.llm;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;


/**
 * Keeps retries from multiplying load when an upstream is down: over a sliding window, retries may
 * add at most a percentage of the requests, plus a small floor so a quiet server still retries.
 * When the budget is spent, a failed call falls back to the next provider at once.
 */
public final class RetryBudget {
    private static final int BUCKETS = 10;

    private final long bucketNanos;
    private final int percent;
    private final int minRetries;
    private final long[] requests = new long[BUCKETS];
    private final long[] retries = new long[BUCKETS];
    private final long[] epochs = new long[BUCKETS];
    private final ReentrantLock lock = new ReentrantLock();

    public RetryBudget(LlmSettings.Retry s) {
        this.bucketNanos = Math.max(1, s.budgetWindow().toNanos() / BUCKETS);
        this.percent = s.budgetPercent();
        this.minRetries = s.budgetMinRetries();
        Arrays.fill(epochs, Long.MIN_VALUE);   // no bucket belongs to any epoch yet
    }

    public void recordRequest() {
        lock.lock();
        try {
            requests[slot(System.nanoTime() / bucketNanos)]++;
        } finally {
            lock.unlock();
        }
    }

    /** Takes one retry from the budget; false when the window has none left. */
    public boolean tryRetry() {
        lock.lock();
        try {
            long epoch = System.nanoTime() / bucketNanos;
            int current = slot(epoch);
            long windowRequests = 0;
            long windowRetries = 0;
            for (int i = 0; i < BUCKETS; i++) {
                if (epochs[i] > epoch - BUCKETS) {
                    windowRequests += requests[i];
                    windowRetries += retries[i];
                }
            }
            if (windowRetries >= minRetries + windowRequests * percent / 100) {
                return false;
            }
            retries[current]++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The bucket of this epoch, emptied first if it still holds an older epoch's counts. */
    private int slot(long epoch) {
        int index = (int) Math.floorMod(epoch, (long) BUCKETS);
        if (epochs[index] != epoch) {
            requests[index] = 0;
            retries[index] = 0;
            epochs[index] = epoch;
        }
        return index;
    }
}
