package io.sluice.limits;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * One watchdog thread that calls {@code sweep(System.nanoTime())} every tick while something is
 * registered, until closed: the mechanism behind the header, body and request deadlines, which each
 * keep a concurrent set of what is running and interrupt the overdue. A platform thread, so a sweep
 * is not delayed by virtual threads keeping every carrier busy.
 *
 * <p>While the set is empty ({@code idle}) the thread parks instead of ticking (the three of them
 * woke 25 times a second on an idle server); whoever registers calls {@link #wake()} after adding,
 * a single volatile read while the watchdog is awake (always, under load). A deadline registered
 * while it was parked is swept from one tick after its registration on, so none is detected later
 * than a tick after it passes, as before.
 */
public final class Sweeper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean parked;

    public Sweeper(String name, long tickMillis, BooleanSupplier idle, LongConsumer sweep) {
        this.thread = Thread.ofPlatform().daemon().name(name).start(() -> {
            while (!closed) {
                if (idle.getAsBoolean()) {
                    parked = true;
                    // Re-checked after the flag is set: a registration either is seen here or sees the flag.
                    if (idle.getAsBoolean() && !closed) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    continue;
                }
                try {
                    Thread.sleep(tickMillis);
                } catch (InterruptedException e) {
                    return;   // closed
                }
                sweep.accept(System.nanoTime());
            }
        });
    }

    /** Call after registering something: starts the ticks again if the watchdog parked. */
    public void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
