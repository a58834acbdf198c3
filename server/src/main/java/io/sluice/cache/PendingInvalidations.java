package io.sluice.cache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Invalidations that could not reach Redis (it was down), kept to be replayed once it is back: the
 * L2 copy must still be deleted and the other instances told. Bounded: past {@value #MAX} distinct
 * ones only "flush every cache" is remembered (the replay then drops each cache whole).
 */
final class PendingInvalidations {
    static final int MAX = 10_000;

    record Pending(String kind, String cache, String arg) {
    }

    private final Set<Pending> pending = new LinkedHashSet<>();
    private boolean overflow;

    synchronized void add(String kind, String cache, String arg) {
        if (overflow) {
            return;
        }
        pending.add(new Pending(kind, cache, arg));
        if (pending.size() > MAX) {
            pending.clear();
            overflow = true;
        }
    }

    synchronized boolean isEmpty() {
        return pending.isEmpty() && !overflow;
    }

    /** What to replay, taken out; with {@code overflowed[0]} set when everything must be flushed. */
    synchronized List<Pending> drain(boolean[] overflowed) {
        overflowed[0] = overflow;
        overflow = false;
        List<Pending> out = new ArrayList<>(pending);
        pending.clear();
        return out;
    }

    synchronized int size() {
        return pending.size() + (overflow ? 1 : 0);
    }
}
