package io.sluice.auth;

import java.time.Clock;
import java.util.List;

import io.sluice.infra.Database;
import io.sluice.infra.Invalidations;
import io.sluice.infra.Redis;
import io.sluice.observe.ServerMeters;

/**
 * API keys, token revocations, users' current standing and the authenticator over them, with their in-memory copies kept
 * honest by their channel on the instance's one {@link Invalidations} subscription (its owner closes it).
 * With auth switched off nothing is cached and nothing listens.
 */
public final class Credentials {
    private final ApiKeyStore store;
    private final ApiKeys keys;
    private final Jwt jwt;
    private final Revocations revocations;
    private final Authenticator authenticator;
    private final InvalidationBus bus;
    private final KeyCache cache;
    private final UserStates users;

    public Credentials(AuthSettings s, Database db, Redis redis, Invalidations invalidations) {
        Clock clock = Clock.systemUTC();
        this.cache = new KeyCache(s.cacheTtl(), s.cacheMaxEntries());
        this.store = new ApiKeyStore(db);
        this.keys = new ApiKeys(store, cache);
        // With auth off no token is ever issued or checked: a throw-away key, and no secret file.
        this.jwt = new Jwt(s.enabled() ? JwtSecrets.resolve(s) : ApiKeys.randomSecret(), s.tokenTtl(), clock);
        this.revocations = new Revocations(redis, clock, s.tokenTtl());
        this.users = new UserStates(new UserStore(db), cache, s.cacheTtl(), s.cacheMaxEntries());
        this.authenticator = new Authenticator(jwt, revocations, keys, users);
        this.bus = s.enabled() ? new InvalidationBus(invalidations, List.of(cache, revocations, users)) : null;
        if (bus != null) {
            cache.attach(bus);
            revocations.attach(bus);
            users.attach(bus);
        }
    }

    /** {@code sluice_auth_key_cache_hits} and {@code sluice_auth_invalidations_live} (0 while the caches step aside). */
    public void registerMeters(ServerMeters meters) {
        meters.gauge("sluice.auth.key.cache.hits", "API-key requests authenticated from memory, without PostgreSQL",
                     List.of(), cache::hits);
        meters.gauge("sluice.auth.invalidations.live", "1 while credential caches are kept current over Redis pub/sub",
                     List.of(), () -> bus != null && bus.live() ? 1 : 0);
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

    /** Tells every instance that a user's role, standing or existence changed (within a second). */
    public void userChanged(java.util.UUID userId) {
        users.changed(userId);
    }

    public Authenticator authenticator() {
        return authenticator;
    }
}
