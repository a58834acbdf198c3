package io.sluice.auth;

import java.time.Duration;
import java.util.UUID;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Each user's current standing — exists and enabled, role — so a login token is worth only what its
 * user is worth now: a deleted or disabled user's token is refused (401) and a demoted admin's
 * loses admin rights (403) at once, not when the token expires. The role in the token is ignored.
 *
 * <p>Kept in memory (bounded, {@code auth.cache.ttl}) so a known user costs a hash lookup, no
 * PostgreSQL or Redis trip. Like {@link KeyCache} it answers only while the {@link InvalidationBus}
 * is live and is emptied on every (re)subscription; a change made here is applied here at once and
 * published ({@code user <id>}, the message KeyCache already acts on), so every instance drops the
 * entry within a second. A lookup that began before an invalidation never stores its stale answer
 * (the epoch check, as in KeyCache).
 */
final class UserStates implements InvalidationBus.Listener {
    private static final String USER = "user ";

    /** A user's standing; {@link #GONE} for one that does not exist (any more). */
    record State(String username, Principal.Role role, boolean active) {
        static final State GONE = new State("", Principal.Role.USER, false);
    }

    private final UserStore store;
    private final KeyCache keys;
    private final Cache<String, State> cache;   // null: caching off (auth.cache.max-entries: 0)
    private long epoch;                         // guarded by this
    private volatile InvalidationBus bus;

    UserStates(UserStore store, KeyCache keys, Duration ttl, int maxEntries) {
        this.store = store;
        this.keys = keys;
        this.cache = maxEntries == 0 ? null : Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    }

    void attach(InvalidationBus bus) {
        this.bus = bus;
    }

    /** The user's standing if it is in memory (and memory is being kept current), else null. */
    State cached(String userId) {
        InvalidationBus b = bus;
        return cache == null || b == null || !b.live() ? null : cache.getIfPresent(userId);
    }

    /** The user's standing: from memory, else from PostgreSQL (and then remembered). */
    State current(String userId) {
        State s = cached(userId);
        if (s != null) {
            return s;
        }
        UUID id;
        try {
            id = UUID.fromString(userId);
        } catch (IllegalArgumentException e) {
            return State.GONE;   // not one of our ids: no such user
        }
        long seen = epoch();
        s = store.findById(id).map(u -> new State(u.username(), u.role(), !u.disabled())).orElse(State.GONE);
        put(userId, s, seen);
        return s;
    }

    /** After a user's role, standing or existence changed: forgotten here now, everywhere within a second. */
    void changed(UUID userId) {
        invalidate(userId.toString());
        keys.userChanged(userId.toString());   // drops their cached API keys and publishes "user <id>"
    }

    @Override
    public void onMessage(String message) {
        if (message.startsWith(USER)) {
            invalidate(message.substring(USER.length()));
        }
    }

    @Override
    public void resync() {
        synchronized (this) {
            epoch++;
            if (cache != null) {
                cache.invalidateAll();   // changes may have been missed while disconnected
            }
        }
    }

    private synchronized long epoch() {
        return epoch;
    }

    private synchronized void put(String userId, State s, long seenEpoch) {
        InvalidationBus b = bus;
        if (cache != null && b != null && b.live() && seenEpoch == epoch) {
            cache.put(userId, s);
        }
    }

    private synchronized void invalidate(String userId) {
        epoch++;
        if (cache != null) {
            cache.invalidate(userId);
        }
    }
}
