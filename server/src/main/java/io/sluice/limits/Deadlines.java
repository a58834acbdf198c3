package io.sluice.limits;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.sluice.http.RequestDeadline;

/**
 * Bounds a blocking request: when its deadline passes, the request's virtual thread is interrupted,
 * which unblocks sleeps, semaphore waits and socket I/O. One scheduler thread serves all requests.
 */
public final class Deadlines implements AutoCloseable {
    private final ScheduledThreadPoolExecutor scheduler;

    public Deadlines() {
        scheduler = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("sluice-deadlines").factory());
        scheduler.setRemoveOnCancelPolicy(true);   // a 300 s deadline per request must not pile up
    }

    /** Starts the clock for the current thread; close the guard when the request is done. */
    public Guard start(Duration deadline) {
        Guard guard = new Guard(Thread.currentThread(), deadline);
        guard.future = scheduler.schedule(guard::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
        return guard;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    public static final class Guard implements RequestDeadline, AutoCloseable {
        private final Thread thread;
        private final Duration deadline;
        private ScheduledFuture<?> future;
        private boolean done;
        private boolean expired;

        private Guard(Thread thread, Duration deadline) {
            this.thread = thread;
            this.deadline = deadline;
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

        /** Cancels the clock and clears an interrupt it may have delivered, so the connection thread goes on clean. */
        @Override
        public void close() {
            synchronized (this) {
                done = true;
            }
            future.cancel(false);
            if (expired) {
                Thread.interrupted();
            }
        }
    }
}
