package io.sluice.security;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.sluice.limits.Arrivals;
import io.sluice.limits.Sweeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deadline for a request's header block (slowloris). Helidon sets no read timeout on accepted
 * sockets, and its idle-connection check only cuts connections still in the request line. This
 * listener notes when a connection's request line has arrived; a watchdog interrupts the
 * connection's virtual thread once its headers have taken longer than the deadline — an
 * interrupted virtual thread blocked in a socket read closes the socket, ending the connection.
 * It also tells {@link Arrivals} when each request line came: Helidon's list of several receive
 * listeners forwards no prologue or header events, so this must be the only one.
 */
public final class HeaderDeadline implements Http1ConnectionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final long deadlineNanos;
    private final Map<Thread, Long> reading = new ConcurrentHashMap<>();
    private final Sweeper watchdog;
    private final Arrivals arrivals;

    public HeaderDeadline(Duration deadline, Arrivals arrivals) {
        this.deadlineNanos = deadline.toNanos();
        this.arrivals = arrivals;
        long tick = Math.max(100, Math.min(1000, deadline.toMillis() / 4));
        this.watchdog = new Sweeper("sluice-header-deadline", tick, reading::isEmpty, this::sweep);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        long now = arrivals.arrived(System.nanoTime());
        reading.put(Thread.currentThread(), now + deadlineNanos);
        watchdog.wake();
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        reading.remove(Thread.currentThread());
    }

    /** Connections whose header block is still arriving. */
    public int inProgress() {
        return reading.size();
    }

    private void sweep(long now) {
        reading.forEach((thread, due) -> {
            if (now - due > 0 && reading.remove(thread, due) && thread.isAlive()) {
                LOG.debug("closing a connection whose headers took longer than {} ms", deadlineNanos / 1_000_000);
                thread.interrupt();
            }
        });
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
