package io.sluice.limits;

import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * When the current request arrived: notes the moment its request line was read, on the connection's
 * own (virtual) thread, which then runs the request's filters and handler. Admission counts its
 * queue timeout from here, so what a request spent before admission (authentication, rate limits,
 * a busy CPU) comes out of the same one timeout instead of being added to it.
 */
public final class Arrivals implements Http1ConnectionListener {
    // One small holder per connection thread, reused for each request on the connection.
    private final ThreadLocal<long[]> arrived = ThreadLocal.withInitial(() -> new long[1]);

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        arrived.get()[0] = System.nanoTime();
    }

    /** The current request's arrival (System.nanoTime()); {@code now} if it was not seen (another protocol). */
    public long arrivedAt(long now) {
        long t = arrived.get()[0];
        return t == 0 || t - now > 0 ? now : t;
    }
}
