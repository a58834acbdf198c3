package io.sluice.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local token leases over the Redis buckets: a request spends tokens this instance leased and
 * goes to Redis only when a lease runs out (one script call for all of its buckets that need one),
 * so a busy bucket costs one round trip per lease, not per request. See {@link Lease} for sizing
 * and expiry.
 *
 * <p>Accuracy: every token spent anywhere was granted by the shared Redis bucket, so together the
 * instances never admit more than the bucket allows, except tokens granted before a window starts
 * and spent in it (at most one lease per instance). The budget lost to leases is what they hold
 * unspent at a time, at most about {@code lease-percent} of the capacity per busy instance, and it
 * comes back when they expire. With 1% the shared budget stays within 5% of the limit for up to
 * five instances hammering one bucket; a bucket of 100 has leases of one token (exact).
 *
 * <p>Memory: one entry per bucket in use, at most about {@value #MAX_BUCKETS}, evicted after
 * {@code lease-ttl} without a request; the leftovers of evicted leases are given back to Redis by
 * a background virtual thread (owned here, stopped by {@link #close}). The table is a plain
 * ConcurrentHashMap swept by that thread rather than a Caffeine cache: every request looks up two
 * leases, and Caffeine's access bookkeeping was most of the rate limit's cost on a light GET.
 * Evicting any lease is safe at any time (its leftovers go back, a request holding it sees it dead
 * and takes a new one), so the size bound may evict arbitrary entries when idle ones do not suffice.
 */
final class Leases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    private static final int MAX_BUCKETS = 100_000;

    private final RedisTokenBucket redis;
    private final int percent;
    private final long ttlMs;
    private final Map<String, Lease> table = new ConcurrentHashMap<>();
    private final AtomicBoolean evicting = new AtomicBoolean();
    private final LeaseReturns returns;
    private final Thread returner;
    private volatile boolean closed;
    private volatile boolean resting;   // the returner is parked: no lease held, nothing to give back

    Leases(RedisTokenBucket redis, int percent, Duration ttl) {
        this.redis = redis;
        this.percent = percent;
        this.ttlMs = ttl.toMillis();
        this.returns = new LeaseReturns(redis);
        this.returner = Thread.ofVirtual().name("ratelimit-lease-returner").start(this::returnLoop);
    }

    /** The largest lease for a bucket: {@code max(1, floor(capacity × percent / 100))}. */
    static int maxLease(Limit limit, int percent) {
        return (int) Math.max(1, (long) limit.capacity() * percent / 100);
    }

    /**
     * Takes a token from each bucket in order, stopping at the first that refuses; at most one
     * round trip for the request itself (plus, for a request settled locally, a prefetch of the
     * next lease when one is running low). Throws the Redis failure with nothing taken here.
     */
    Verdict take(List<String> keys, List<Limit> limits) {
        int n = keys.size();
        long now = System.nanoTime() / 1_000_000;
        Lease[] leases = new Lease[n];
        Lease.Ask[] asks = new Lease.Ask[n];
        Decision[] local = new Decision[n];
        int stopAt = n;
        int trips = 0;
        for (int i = 0; i < n; i++) {
            asks[i] = new Lease.Ask();
            do {
                leases[i] = lease(keys.get(i), limits.get(i), now);
                local[i] = leases[i].tryLocal(now, asks[i]);
                if (local[i] == Lease.DEAD) {
                    table.remove(keys.get(i), leases[i]);   // evicted meanwhile: take a fresh one
                }
            } while (local[i] == Lease.DEAD);
            if (local[i] == null) {
                trips++;
            } else if (!local[i].allowed()) {
                stopAt = i;   // a remembered refusal: later buckets are not touched
                break;
            }
        }
        if (trips == 0) {
            prefetch(keys, leases, asks, stopAt, now);
            return stopAt < n ? new Verdict(stopAt, local[stopAt]) : new Verdict(n - 1, local[n - 1]);
        }
        return settle(keys, leases, asks, local, stopAt, trips, now);
    }

    private Lease lease(String key, Limit limit, long now) {
        Lease l = table.get(key);   // the common case, without a capturing lambda per call
        if (l != null) {
            return l;
        }
        if (table.size() >= MAX_BUCKETS) {
            evict(now);
        }
        Lease created = table.computeIfAbsent(key, k -> new Lease(limit, maxLease(limit, percent), ttlMs, now));
        wake();   // a new bucket (not the per-request path): it expires through the returner
        return created;
    }

    /** Drops leases idle for {@code lease-ttl}; at the size bound, also others until 1% below it. */
    private void evict(long now) {
        if (!evicting.compareAndSet(false, true)) {
            return;
        }
        try {
            sweep(now);
            int over = table.size() - (MAX_BUCKETS - MAX_BUCKETS / 100);
            for (var it = table.entrySet().iterator(); over > 0 && it.hasNext(); over--) {
                var e = it.next();
                if (table.remove(e.getKey(), e.getValue())) {
                    giveBack(e.getKey(), e.getValue().limit, e.getValue().kill());
                }
            }
        } finally {
            evicting.set(false);
        }
    }

    private void sweep(long now) {
        for (var e : table.entrySet()) {
            int left = e.getValue().killIfIdle(now);
            if (left >= 0) {
                table.remove(e.getKey(), e.getValue());
                giveBack(e.getKey(), e.getValue().limit, left);
            }
        }
    }

    private Verdict settle(List<String> keys, Lease[] leases, Lease.Ask[] asks, Decision[] local, int stopAt, int trips, long now) {
        List<String> tripKeys = new ArrayList<>(trips);
        List<Limit> tripLimits = new ArrayList<>(trips);
        int[] want = new int[trips];
        int[] back = new int[trips];
        for (int i = 0, j = 0; i < stopAt; i++) {
            if (local[i] == null) {
                tripKeys.add(keys.get(i));
                tripLimits.add(leases[i].limit);
                want[j] = asks[i].want;
                back[j++] = asks[i].back;
            }
        }
        RedisTokenBucket.Grant[] grants;
        try {
            grants = redis.lease(tripKeys, tripLimits, want, back, true);
        } catch (RuntimeException e) {
            for (int i = 0; i < stopAt; i++) {
                if (local[i] == null) {
                    leases[i].unanswered(asks[i], false);
                } else {
                    undo(keys.get(i), leases[i], asks[i]);
                }
            }
            throw e;
        }
        Verdict v = null;
        int[] orphans = new int[1];
        for (int i = 0, j = 0; i < stopAt; i++) {
            if (local[i] == null) {
                RedisTokenBucket.Grant g = grants[j++];
                if (v != null && !v.decision().allowed()) {
                    leases[i].unanswered(asks[i], true);   // not reached: its returns were applied all the same
                    continue;
                }
                orphans[0] = 0;
                v = new Verdict(i, leases[i].answer(now, asks[i], g, true, orphans));
                giveBack(keys.get(i), leases[i].limit, orphans[0]);
            } else if (v != null && !v.decision().allowed()) {
                undo(keys.get(i), leases[i], asks[i]);
            } else {
                leases[i].unanswered(asks[i], true);   // drop its prefetch: this request already made its trip
                v = new Verdict(i, local[i]);
            }
        }
        if (v.decision().allowed() && stopAt < keys.size()) {
            v = new Verdict(stopAt, local[stopAt]);
        }
        return v;
    }

    /** A token spent locally for a request an earlier bucket refused: put it back, as if never taken. */
    private void undo(String key, Lease lease, Lease.Ask ask) {
        lease.unanswered(ask, true);
        giveBack(key, lease.limit, lease.untake());
    }

    /** Fetches the next lease of buckets running low, after this request was settled without a trip. */
    private void prefetch(List<String> keys, Lease[] leases, Lease.Ask[] asks, int stopAt, long now) {
        List<Integer> low = null;
        for (int i = 0; i < stopAt; i++) {
            if (asks[i].want > 0) {
                if (low == null) {
                    low = new ArrayList<>(2);
                }
                low.add(i);
            }
        }
        if (low == null) {
            return;
        }
        List<String> tripKeys = new ArrayList<>(low.size());
        List<Limit> tripLimits = new ArrayList<>(low.size());
        int[] want = new int[low.size()];
        for (int j = 0; j < low.size(); j++) {
            tripKeys.add(keys.get(low.get(j)));
            tripLimits.add(leases[low.get(j)].limit);
            want[j] = asks[low.get(j)].want;
        }
        try {
            RedisTokenBucket.Grant[] grants = redis.lease(tripKeys, tripLimits, want, new int[low.size()], false);
            int[] orphans = new int[1];
            for (int j = 0; j < low.size(); j++) {
                int i = low.get(j);
                orphans[0] = 0;
                leases[i].answer(now, asks[i], grants[j], false, orphans);
                giveBack(keys.get(i), leases[i].limit, orphans[0]);
            }
        } catch (RuntimeException e) {   // the request is settled; the next one that needs Redis sees the failure
            for (int i : low) {
                leases[i].unanswered(asks[i], true);
            }
        }
    }

    private void giveBack(String key, Limit limit, int tokens) {
        returns.give(key, limit, tokens);
        wake();
    }

    private void wake() {
        if (resting) {
            resting = false;
            LockSupport.unpark(returner);
        }
    }

    /**
     * Every {@code lease-ttl / 2} (100 ms..1 s) while leases are held or leftovers wait: expires idle
     * leases and gives leftovers back. With neither it parks (it woke twice a second on an idle
     * server) until a lease is created or a leftover is given back.
     */
    private void returnLoop() {
        long every = Math.clamp(ttlMs / 2, 100, 1000);
        while (!closed) {
            if (table.isEmpty() && returns.isEmpty()) {
                resting = true;
                // Re-checked after the flag is set: a new lease or leftover is either seen here or sees the flag.
                if (table.isEmpty() && returns.isEmpty() && !closed) {
                    LockSupport.park(this);   // wake() or close's interrupt
                }
                resting = false;
                continue;
            }
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            }
            sweep(System.nanoTime() / 1_000_000);   // expiry happens here
            returns.flush();
        }
    }

    /** Stops the returner and gives this instance's leftovers back (best effort, each trip bounded by Redis' timeouts). */
    @Override
    public void close() {
        closed = true;
        returner.interrupt();
        try {
            returner.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (var e : table.entrySet()) {
            if (table.remove(e.getKey(), e.getValue())) {
                giveBack(e.getKey(), e.getValue().limit, e.getValue().kill());
            }
        }
        returns.flush();
    }
}
