package io.sluice.audio;

import java.time.Duration;

/**
 * The per-call timeout of one upstream audio call (audio.tts-timeout, audio.asr-timeout), from the
 * call's start to its last byte: a virtual thread sleeps that long and then interrupts the caller,
 * which closes the socket it is blocked on (or ends a simulator's sleep). Audio calls are few and
 * long, so one sleeping virtual thread per call is cheap. The interrupt comes at most once, never
 * after {@link #close()}, and close clears one that came: the caller's thread goes on clean.
 */
final class CallTimeout implements AutoCloseable {
    private final Thread caller;
    private final Thread watcher;
    private boolean done;
    private boolean expired;

    private CallTimeout(Duration timeout) {
        this.caller = Thread.currentThread();
        this.watcher = Thread.ofVirtual().name("audio-call-timeout").start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;   // the call ended first
            }
            expire();
        });
    }

    static CallTimeout start(Duration timeout) {
        return new CallTimeout(timeout);
    }

    private synchronized void expire() {
        if (!done) {
            expired = true;
            caller.interrupt();
        }
    }

    /** True when the timeout passed and interrupted the call. */
    synchronized boolean expired() {
        return expired;
    }

    @Override
    public void close() {
        boolean struck;
        synchronized (this) {
            done = true;
            struck = expired;
        }
        watcher.interrupt();
        if (struck) {
            Thread.interrupted();
        }
    }
}
