package io.sluice.limits;

import java.util.function.LongConsumer;

/**
 * One watchdog thread that calls {@code sweep(System.nanoTime())} every tick until closed: the
 * mechanism behind the header, body and request deadlines, which each keep a concurrent set of what
 * is running and interrupt the overdue. A platform thread, so a sweep is not delayed by virtual
 * threads keeping every carrier busy.
 */
public final class Sweeper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;

    public Sweeper(String name, long tickMillis, LongConsumer sweep) {
        this.thread = Thread.ofPlatform().daemon().name(name).start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(tickMillis);
                } catch (InterruptedException e) {
                    return;   // closed
                }
                sweep.accept(System.nanoTime());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
