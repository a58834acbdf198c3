package io.sluice.cache;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One load per key at a time in this instance: the first reader of a missing key runs the load,
 * readers of the same key that arrive meanwhile wait for its result (or its exception) instead of
 * loading too. A follower waits at most {@code cache.load-wait}; past it, it runs the load itself
 * (a slow database must not turn the cache into an unbounded queue).
 *
 * <p>Across instances this does not hold by itself: N instances missing the same key at once make
 * up to N loads (one each), not N x readers. A distributed lock would cost a Redis round trip on
 * every miss and a lease to tune; at a handful of instances the extra loads are cheap, and after
 * the first put every instance finds the value in L2.
 */
final class Flights<V> {
    private static final class Flight<V> {
        final CountDownLatch done = new CountDownLatch(1);
        volatile V value;
        volatile RuntimeException failure;
    }

    private final ConcurrentHashMap<String, Flight<V>> inFlight = new ConcurrentHashMap<>();
    private final Duration wait;

    Flights(Duration wait) {
        this.wait = wait;
    }

    V run(String key, Supplier<V> load) {
        Flight<V> mine = new Flight<>();
        Flight<V> leader = inFlight.putIfAbsent(key, mine);
        if (leader == null) {
            try {
                mine.value = load.get();
                return mine.value;
            } catch (RuntimeException e) {
                mine.failure = e;
                throw e;
            } finally {
                inFlight.remove(key, mine);
                mine.done.countDown();
            }
        }
        try {
            if (!leader.done.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return load.get();   // the leader is slow: do not wait longer than load-wait
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return load.get();
        }
        if (leader.failure != null) {
            throw leader.failure;   // the same failure the reader would have met loading itself
        }
        return leader.value;
    }
}
