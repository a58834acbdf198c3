package io.sluice.infra;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one dependency (PostgreSQL, Redis) is known to be down, decided by one background probe
 * so that requests never wait on a dead dependency and never probe it themselves.
 *
 * <p>A failure that proves the dependency unreachable (a refused or timed-out connect) marks it
 * {@link #down(Throwable) down} at once; a failure that may concern only one connection (a query
 * cut mid-way, a socket timeout) makes it {@link #suspect(Throwable) suspect}. Either starts the
 * probe (at most one at a time) on a virtual thread: it runs the check every {@code interval} and
 * marks the dependency down while the check fails, up as soon as it passes. Callers ask
 * {@link #isDown()} and answer at once while it is true. The check must bound its own waits.
 */
final class Outage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outage.class);

    private final String name;
    private final Duration interval;
    private final BooleanSupplier check;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean down;
    private volatile boolean recheck;   // a failure came in while the probe was running: check once more
    private volatile boolean closed;
    private volatile Thread probe;

    Outage(String name, Duration interval, BooleanSupplier check) {
        this.name = name;
        this.interval = interval;
        this.check = check;
    }

    boolean isDown() {
        return down;
    }

    /** The failure proves the dependency unreachable: down now, the probe says when it is back. */
    void down(Throwable cause) {
        if (!down) {
            down = true;
            LOG.warn("{} unreachable ({}); requests that need it answer 503 at once until a background probe reaches it",
                     name, describe(cause));
        }
        suspect(cause);
    }

    /** The failure may be one connection's: the probe decides, requests carry on meanwhile. */
    void suspect(Throwable cause) {
        recheck = true;
        if (!closed && probing.compareAndSet(false, true)) {
            probe = Thread.ofVirtual().name(name + "-probe").start(this::probeLoop);
        }
    }

    private void probeLoop() {
        try {
            while (!closed) {
                recheck = false;
                if (passes()) {
                    if (down) {
                        down = false;
                        LOG.info("{} reachable again", name);
                    }
                    if (!recheck) {
                        return;
                    }
                    Thread.sleep(interval);   // failures keep coming while it answers: check again, unhurried
                    continue;
                }
                if (!down) {
                    down = true;
                    LOG.warn("{} unreachable (probe failed); requests that need it answer 503 at once until it answers", name);
                }
                Thread.sleep(interval);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            probing.set(false);
            if (recheck && !closed && !Thread.currentThread().isInterrupted()) {
                suspect(null);   // a failure arrived after the last check: do not let it go unexamined
            }
        }
    }

    private boolean passes() {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String describe(Throwable t) {
        return t == null ? "no detail" : t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        closed = true;
        Thread t = probe;
        if (t != null) {
            t.interrupt();
        }
    }
}
