package io.sluice.tasks;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wakes long-polling requests when a task ends. A worker in this instance signals at once; a task
 * finished by another instance is seen by the waiter's periodic re-check of the database.
 */
public final class TaskEvents {
    private static final long RECHECK_MS = 500;

    private final Map<UUID, CountDownLatch> waiting = new ConcurrentHashMap<>();

    public void finished(UUID taskId) {
        CountDownLatch latch = waiting.remove(taskId);
        if (latch != null) {
            latch.countDown();
        }
    }

    /**
     * Waits until {@code isFinished} holds or the wait runs out; checks at once, on every signal and
     * every half second.
     */
    public boolean await(UUID taskId, Duration wait, java.util.function.BooleanSupplier isFinished)
            throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (!isFinished.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            CountDownLatch latch = waiting.computeIfAbsent(taskId, k -> new CountDownLatch(1));
            if (isFinished.getAsBoolean()) {
                return true;   // finished between the check and the registration
            }
            latch.await(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, RECHECK_MS), TimeUnit.MILLISECONDS);
        }
        return true;
    }
}
