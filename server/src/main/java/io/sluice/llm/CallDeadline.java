package io.sluice.llm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deadlines of an upstream call made on the caller's own thread (a non-streamed answer): the
 * answer must start (its status line) within the first-byte deadline and end within the total one;
 * past either, the thread is interrupted, which closes the upstream socket it is blocked on. One
 * watcher thread scans the calls in flight; it runs only while there are some, so an idle router
 * owns no thread. The interrupt is delivered at most once, never after {@link Call#close()}, and
 * close clears one that was delivered: the thread goes on clean (its next socket is the database).
 */
final class CallDeadline {
    private final long firstByteNanos;
    private final long totalNanos;
    private final long tickMillis;
    private final Map<Thread, Call> running = new ConcurrentHashMap<>();
    private final AtomicBoolean watching = new AtomicBoolean();

    CallDeadline(long firstByteNanos, long totalNanos) {
        this.firstByteNanos = Math.min(firstByteNanos, totalNanos);
        this.totalNanos = totalNanos;
        // a tenth of the nearer deadline, 10 ms..1 s
        this.tickMillis = Math.max(10, Math.min(1000, this.firstByteNanos / 10_000_000));
    }

    /** Starts the clock for the current thread; close the result when the call returns. */
    Call start() {
        long now = System.nanoTime();
        Call call = new Call(Thread.currentThread(), now, now + firstByteNanos);
        running.put(call.thread, call);
        if (watching.compareAndSet(false, true)) {
            Thread.ofVirtual().name("llm-call-deadline").start(this::watch);
        }
        return call;
    }

    private void watch() {
        while (true) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                watching.set(false);
                return;
            }
            long now = System.nanoTime();
            running.values().forEach(call -> {
                if (now - call.due >= 0 && running.remove(call.thread, call)) {
                    call.expire();
                }
            });
            if (running.isEmpty()) {
                watching.set(false);
                // A call registered after the check and before the flag was cleared started no watcher: take it on.
                if (running.isEmpty() || !watching.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }

    final class Call implements AutoCloseable {
        private final Thread thread;
        private final long start;
        private volatile long due;
        private volatile boolean started;
        private boolean done;
        private boolean expired;

        private Call(Thread thread, long start, long due) {
            this.thread = thread;
            this.start = start;
            this.due = due;
        }

        /** The answer has started: from now on only the total deadline applies. */
        void started() {
            started = true;
            due = start + totalNanos;
        }

        /** True when the first-byte deadline (not the total one) interrupted the call. */
        synchronized boolean expiredBeforeStart() {
            return expired && !started;
        }

        private synchronized void expire() {
            if (!done) {
                expired = true;
                thread.interrupt();
            }
        }

        /** True when the deadline passed and interrupted the call. */
        synchronized boolean expired() {
            return expired;
        }

        @Override
        public void close() {
            running.remove(thread, this);
            synchronized (this) {
                done = true;
            }
            if (expired) {
                Thread.interrupted();
            }
        }
    }
}
