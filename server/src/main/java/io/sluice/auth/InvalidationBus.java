package io.sluice.auth;

import java.util.List;

import io.sluice.infra.Invalidations;

/**
 * The credential caches' channel on the instance's one invalidation subscription ({@link Invalidations}):
 * a deleted API key, a revoked token, a changed user. {@link #live()} is what makes caching them safe
 * (see {@link Invalidations#live()}: a change published at t is applied here, or the caches step
 * aside, within a second).
 */
final class InvalidationBus {
    /** What listens: a message, and a resync after every (re)subscribe (messages may have been missed). */
    interface Listener extends Invalidations.Listener {
    }

    static final String CHANNEL = "sluice:auth:invalidate";

    private final Invalidations shared;

    InvalidationBus(Invalidations shared, List<Listener> listeners) {
        this.shared = shared;
        listeners.forEach(l -> shared.listen(CHANNEL, l));
    }

    boolean live() {
        return shared.live();
    }

    /** Publishes and waits (at most a second) for the echo; throws when Redis is unreachable. */
    void publish(String message) {
        shared.publish(CHANNEL, message);
    }
}
