package io.sluice.llm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The total deadline of an upstream call made on the caller's own thread (a non-streamed answer):
 * past it, the thread is interrupted, which closes the upstream socket it is blocked on. One
 * watcher thread scans the calls in flight; it runs only while there are some, so an idle router
 * owns no thread. The interrupt is delivered at most once, never after {@link Call#close()}, and
 * close clears one that was delivered: the thread goes on clean (its next socket is the database).
 */
final class CallDeadline {
    private final long totalNanos;
    private final long tickMillis;
    private final Map<Thread, Call> running = new ConcurrentHashMap<>();
    private final AtomicBoolean watching = new AtomicBoolean();

    CallDeadline(long totalNanos) {
        this.totalNanos = totalNanos;
        this.tickMillis = Math.max(10, Math.min(1000, totalNanos / 10_000_000));   // a tenth of the deadline, 10 ms..1 s
    }

    /** Starts the clock for the current thread; close the result when the call returns. */
    Call start() {
        Call call = new Call(Thread.currentThread(), System.nanoTime() + totalNanos);
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
        private final long due;
        private boolean done;
        private boolean expired;

        private Call(Thread thread, long due) {
            this.thread = thread;
            this.due = due;
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
