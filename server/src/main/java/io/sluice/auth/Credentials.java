package io.sluice.auth;

import java.time.Clock;
import java.util.List;

import io.sluice.infra.Database;
import io.sluice.infra.Redis;

/**
 * API keys, token revocations and the authenticator over them, with their in-memory copies kept
 * honest by one {@link InvalidationBus}. Owns the bus (and its threads): close it on shutdown.
 * With auth switched off nothing is cached and no bus runs.
 */
public final class Credentials implements AutoCloseable {
    private final ApiKeyStore store;
    private final ApiKeys keys;
    private final Jwt jwt;
    private final Revocations revocations;
    private final Authenticator authenticator;
    private final InvalidationBus bus;

    public Credentials(AuthSettings s, Database db, Redis redis) {
        Clock clock = Clock.systemUTC();
        KeyCache cache = new KeyCache(s.cacheTtl(), s.cacheMaxEntries());
        this.store = new ApiKeyStore(db);
        this.keys = new ApiKeys(store, cache);
        this.jwt = new Jwt(s.jwtSecret(), s.tokenTtl(), clock);
        this.revocations = new Revocations(redis, clock, s.tokenTtl());
        this.authenticator = new Authenticator(jwt, revocations, keys);
        this.bus = s.enabled() ? new InvalidationBus(redis, List.of(cache, revocations)) : null;
        if (bus != null) {
            cache.attach(bus);
            revocations.attach(bus);
        }
    }

    public ApiKeyStore store() {
        return store;
    }

    public ApiKeys keys() {
        return keys;
    }

    public Jwt jwt() {
        return jwt;
    }

    public Revocations revocations() {
        return revocations;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    @Override
    public void close() {
        if (bus != null) {
            bus.close();
        }
    }
}
