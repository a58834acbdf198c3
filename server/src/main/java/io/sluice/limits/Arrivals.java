package io.sluice.limits;

/**
 * When the current request arrived: notes the moment its request line was read, on the connection's
 * own (virtual) thread, which then runs the request's filters and handler. Admission counts its
 * queue timeout from here, so what a request spent before admission (authentication, rate limits,
 * a busy CPU) comes out of the same one timeout instead of being added to it. Told by the connection
 * listener that sees each request line (security's HeaderDeadline).
 */
public final class Arrivals {
    // One small holder per connection thread, reused for each request on the connection.
    private final ThreadLocal<long[]> arrived = ThreadLocal.withInitial(() -> new long[1]);

    /** Notes that the current connection thread's request line arrived at {@code now}; returns it. */
    public long arrived(long now) {
        arrived.get()[0] = now;
        return now;
    }

    /** The current request's arrival (System.nanoTime()); {@code now} if it was not seen (another protocol). */
    public long arrivedAt(long now) {
        long t = arrived.get()[0];
        return t == 0 || t - now > 0 ? now : t;
    }
}
