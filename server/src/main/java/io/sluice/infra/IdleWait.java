package io.sluice.infra;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The idle wait of a background queue consumer (a batcher, a writer) that its owner's close can cut
 * short. Such a loop used to poll with a short timeout only to notice the closing flag: 5-10 wake-ups
 * a second each on an idle server. Here it waits long ({@code max}, a belt only); {@link #wake()}
 * interrupts the threads that are inside the wait at that moment, and only those: the interrupt
 * is given and cleared under one lock, so it never reaches the consumer's database or Redis call.
 * A wait that starts after {@link #wake()} does not block. An element offered to the queue ends
 * the wait at once, as before, so no latency changes.
 */
public final class IdleWait {
    private final Set<Thread> waiting = new HashSet<>();
    private final Set<Thread> woken = new HashSet<>();
    private boolean awake;

    /** The queue's next element, waiting up to {@code max} (null then, or when woken: check the closing flag). */
    public <T> T poll(BlockingQueue<T> queue, Duration max) throws InterruptedException {
        Thread self = Thread.currentThread();
        synchronized (this) {
            if (awake) {
                return queue.poll();
            }
            waiting.add(self);
        }
        try {
            return queue.poll(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            synchronized (this) {
                if (!woken.contains(self)) {
                    throw e;   // not ours: the owner's own interrupt
                }
            }
            return queue.poll();
        } finally {
            synchronized (this) {
                waiting.remove(self);
                if (woken.remove(self)) {
                    Thread.interrupted();   // ours, delivered after the wait ended: it must not reach the next call
                }
            }
        }
    }

    /** Ends the current waits and makes later ones return at once (the owner is closing). */
    public synchronized void wake() {
        awake = true;
        for (Thread t : waiting) {
            woken.add(t);
            t.interrupt();
        }
    }
}
