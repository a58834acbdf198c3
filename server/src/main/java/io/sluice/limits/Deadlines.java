package io.sluice.limits;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.sluice.http.RequestDeadline;

/**
 * Bounds a blocking request: when its deadline passes, the request's virtual thread is interrupted,
 * which unblocks sleeps, semaphore waits and socket I/O. A request only registers its guard in a
 * concurrent set; one watchdog thread sweeps the set every {@value #SWEEP_MS} ms and interrupts the
 * overdue. Why not a scheduled task per request: a ScheduledThreadPoolExecutor's schedule and cancel
 * take its queue lock and sift its heap twice per request (2.6% of a light GET's samples), while a
 * deadline of seconds to minutes needs no better precision than the sweep. A guard never fires early.
 */
public final class Deadlines implements AutoCloseable {
    static final long SWEEP_MS = 50;

    private final Set<Guard> active = ConcurrentHashMap.newKeySet();
    private final Sweeper watchdog = new Sweeper("sluice-deadlines", SWEEP_MS, active::isEmpty, this::sweep);

    /** Starts the clock for the current thread; close the guard when the request is done. */
    public Guard start(Duration deadline) {
        Guard guard = new Guard(this, Thread.currentThread(), deadline, System.nanoTime() + deadline.toNanos());
        active.add(guard);
        watchdog.wake();
        return guard;
    }

    private void sweep(long now) {
        for (Guard g : active) {
            if (now - g.due >= 0) {
                active.remove(g);
                g.expire();
            }
        }
    }

    /** Guards still running (for tests and diagnostics). */
    int active() {
        return active.size();
    }

    @Override
    public void close() {
        watchdog.close();
    }

    public static final class Guard implements RequestDeadline, AutoCloseable {
        private final Deadlines owner;
        private final Thread thread;
        private final Duration deadline;
        private final long due;
        private boolean done;
        private boolean expired;

        private Guard(Deadlines owner, Thread thread, Duration deadline, long due) {
            this.owner = owner;
            this.thread = thread;
            this.deadline = deadline;
            this.due = due;
        }

        @Override
        public Duration deadline() {
            return deadline;
        }

        private synchronized void expire() {
            if (!done) {
                expired = true;
                thread.interrupt();
            }
        }

        @Override
        public synchronized boolean expired() {
            return expired;
        }

        /** Stops the clock and clears an interrupt it may have delivered, so the connection thread goes on clean. */
        @Override
        public void close() {
            boolean wasExpired;
            synchronized (this) {
                done = true;
                wasExpired = expired;
            }
            owner.active.remove(this);
            if (wasExpired) {
                Thread.interrupted();
            }
        }
    }
}
