package io.sluice.ratelimit;

/**
 * One instance's share of one Redis bucket: tokens leased from Redis and spent here without I/O.
 *
 * <p>Size: the first lease is one token (a quiet bucket is exactly as precise as one trip per
 * request); a lease spent within its lifetime doubles the next one, up to {@code maxSize}; one that
 * expired with tokens left halves it. So only a busy bucket holds many tokens here, and at most
 * {@code maxSize} plus the single tokens of requests that found the lease empty while a refill
 * was on its way. When three quarters of a lease are spent, the request that crossed that mark
 * fetches the next one after its own answer is settled, so busy buckets rarely wait for Redis.
 *
 * <p>Lifetime: leased tokens are valid for {@code ttl} after the last grant. Expired leftovers are
 * handed back to Redis with the next trip for this bucket, or by {@link Leases} when the bucket
 * goes idle and its entry is evicted ({@link #kill}), so a lease withholds budget from the other
 * instances only briefly. A refusal from Redis is remembered until one token would have refilled
 * (at most {@code ttl}), so a flood past the limit costs no trips.
 *
 * <p>All fields are guarded by this.
 */
final class Lease {
    final Limit limit;
    private final int maxSize;
    private final long ttlMs;
    private int tokens;
    private long expiresAt;        // ms (monotonic) after which the leftover tokens go back
    private int size = 1;
    private boolean refilling;     // one request asks for a whole lease; others meanwhile ask for one token
    private int remote;            // tokens Redis said it had left at the last answer
    private long refusedUntil;
    private long waitMs;
    private long fullMs;
    private long answeredAt;
    private boolean dead;
    private long usedAt;           // ms (monotonic) of the last request that looked at this lease

    Lease(Limit limit, int maxSize, long ttlMs, long now) {
        this.limit = limit;
        this.maxSize = maxSize;
        this.ttlMs = ttlMs;
        this.usedAt = now;
    }

    /** What a request (or a prefetch) asks of Redis for this bucket. */
    static final class Ask {
        int want;
        int back;
        boolean refill;   // this ask carries the whole next lease (clears `refilling` when answered)
    }

    /** A request that found the lease evicted: look the bucket up again. */
    static final Decision DEAD = new Decision(false, 0, 0, 0, 0);

    /**
     * Spends a local token (allowed; {@code ask.want > 0} then asks for a prefetch), answers a
     * remembered refusal, or returns null with {@code ask} filled: this request needs a trip.
     */
    synchronized Decision tryLocal(long now, Ask ask) {
        if (dead) {
            return DEAD;
        }
        usedAt = now;
        if (refusedUntil > now) {
            return new Decision(false, limit.capacity(), 0, refusedUntil - now, Math.max(0, fullMs - (now - answeredAt)));
        }
        if (tokens > 0 && now < expiresAt) {
            tokens--;
            if (maxSize > 1 && !refilling && tokens * 4 <= size) {
                size = Math.min(maxSize, size * 2);
                refilling = true;
                ask.want = size;
                ask.refill = true;
            }
            return allowed(now);
        }
        ask.back = tokens;   // expired leftovers travel back with this trip
        tokens = 0;
        if (refilling) {
            ask.want = 1;
        } else {
            if (expiresAt != 0) {
                size = now < expiresAt ? Math.min(maxSize, size * 2) : ask.back > 0 ? Math.max(1, size / 2) : size;
            }
            refilling = true;
            ask.want = size;
            ask.refill = true;
        }
        return null;
    }

    /**
     * Applies Redis' answer; for a request ({@code forRequest}) one granted token is its own, and
     * the decision is returned. Returns null for a prefetch. Tokens granted to an evicted lease
     * are added to {@code orphans[0]} for the caller to give back.
     */
    synchronized Decision answer(long now, Ask ask, RedisTokenBucket.Grant g, boolean forRequest, int[] orphans) {
        if (ask.refill) {
            refilling = false;
        }
        remote = g.remaining();
        waitMs = g.waitMs();
        fullMs = g.fullMs();
        answeredAt = now;
        int granted = Math.max(0, g.granted());
        int own = forRequest && granted > 0 ? 1 : 0;
        if (granted > 0) {
            refusedUntil = 0;
            if (dead) {
                orphans[0] += granted - own;
            } else {
                tokens += granted - own;
                expiresAt = now + ttlMs;
            }
        } else if (forRequest) {
            refusedUntil = now + Math.min(Math.max(1, g.waitMs()), ttlMs);
            return new Decision(false, limit.capacity(), 0, g.waitMs(), g.fullMs());
        }
        return forRequest ? allowed(now) : null;
    }

    /** The trip failed or never reached this bucket: nothing was granted; returns stay here for a later trip. */
    synchronized void unanswered(Ask ask, boolean returned) {
        if (ask.refill) {
            refilling = false;
        }
        if (!returned) {
            tokens += ask.back;
        }
    }

    /** Puts back a token spent locally for a request that an earlier bucket refused; returns 1 if evicted meanwhile (give it back to Redis). */
    synchronized int untake() {
        if (dead) {
            return 1;
        }
        tokens++;
        return 0;
    }

    /** Evicted from the table: no more local spending; returns the leftover tokens to give back. */
    /** Kills the lease when no request looked at it for the lease TTL: its leftover tokens, else -1. */
    synchronized int killIfIdle(long now) {
        return !dead && now - usedAt >= ttlMs ? kill() : -1;
    }

    synchronized int kill() {
        dead = true;
        int left = tokens;
        tokens = 0;
        return left;
    }

    /**
     * X-RateLimit-* for a locally spent token: approximate — what Redis had at its last answer plus
     * what is left here; other instances' spending and refill since are not seen.
     */
    private Decision allowed(long now) {
        long elapsed = now - answeredAt;
        int remaining = (int) Math.min(limit.capacity(), (long) remote + tokens);
        return new Decision(true, limit.capacity(), remaining, 0, Math.max(0, fullMs - elapsed));
    }
}
