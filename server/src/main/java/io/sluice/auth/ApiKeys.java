package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys: {@code sk-sluice-<12 hex prefix>_<32 random bytes>}. 256 bits of entropy make a plain
 * SHA-256 a sound way to store them (no slow hash needed); the prefix finds the row without a scan.
 */
public final class ApiKeys {
    public static final String PREFIX = "sk-sluice-";
    private static final int PREFIX_CHARS = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    // Cloned per call: MessageDigest.getInstance walks the provider list every time (it showed in the
    // profile of an authenticated GET); a clone of a fresh instance is a plain copy.
    private static final MessageDigest SHA_256 = newSha256();

    private final ApiKeyStore store;
    private final KeyCache cache;

    ApiKeys(ApiKeyStore store, KeyCache cache) {
        this.store = store;
        this.cache = cache;
    }

    /** A newly created key: the stored row and the plain key, which is shown once and never again. */
    public record Created(ApiKeyStore.KeyRow row, String key) {
    }

    public static boolean looksLikeKey(String token) {
        return token.startsWith(PREFIX);
    }

    public Created create(UUID userId, String name, ApiKeyStore.Scope scope) {
        byte[] p = new byte[PREFIX_CHARS / 2];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(p);
        RANDOM.nextBytes(secret);
        String prefix = HEX.formatHex(p);
        String key = PREFIX + prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Created(store.insert(userId, name, prefix, sha256(key), scope), key);
    }

    /** The key's owner as a principal, or empty for any key we did not issue (or that was revoked). */
    public Optional<Principal> authenticate(String key) {
        if (!wellFormed(key)) {
            return Optional.empty();
        }
        byte[] digest = digest(key);
        KeyCache.Digest cacheKey = new KeyCache.Digest(digest);
        Principal cached = cache.get(cacheKey);
        if (cached != null) {
            return Optional.of(unexpired(cached));
        }
        String hash = HEX.formatHex(digest);   // the stored form
        long epoch = cache.epoch();
        Optional<Principal> found = store.findByPrefix(key.substring(PREFIX.length(), PREFIX.length() + PREFIX_CHARS))
                .filter(m -> !m.user().disabled())   // a disabled user's keys are refused like unknown ones
                .filter(m -> MessageDigest.isEqual(m.key().keyHash().getBytes(StandardCharsets.US_ASCII),
                                                   hash.getBytes(StandardCharsets.US_ASCII)))
                .map(m -> {
                    if (m.key().disabled()) {
                        throw Authenticator.unauthorized("API key is disabled");
                    }
                    return new Principal(m.user().id().toString(), m.user().username(), m.user().role(),
                                         m.key().id().toString(), m.key().keyScope());
                });
        found.ifPresent(p -> cache.put(cacheKey, p, epoch));   // never a miss: a wrong key costs the database every time
        return found.map(ApiKeys::unexpired);
    }

    /** The key's principal if it is in memory, else null (unknown here, or not a key at all). */
    Principal cached(String key) {
        // Keyed on the digest's bytes: no 64-character hex string built and hashed per request.
        Principal p = wellFormed(key) ? cache.get(new KeyCache.Digest(digest(key))) : null;
        return p == null || expired(p) ? null : p;   // an expired key goes the slow way, to its 401
    }

    /** Updates a key's scope, name or standing; every instance looks it up afresh (within a second). */
    public Optional<ApiKeyStore.KeyRow> update(UUID id, ApiKeyStore.Change change) {
        Optional<ApiKeyStore.KeyRow> row = store.update(id, change);
        row.ifPresent(r -> cache.keyDeleted(id.toString()));   // dropped from every cache: the next request reads the new row
        return row;
    }

    private static boolean expired(Principal p) {
        KeyScope s = p.scope();
        return s != null && s.expiresAt() != null && s.expired(java.time.Instant.now());
    }

    private static Principal unexpired(Principal p) {
        if (expired(p)) {
            throw Authenticator.unauthorized("API key expired at " + p.scope().expiresAt());
        }
        return p;
    }

    /** Deletes the user's key; once this returns true no instance accepts it any more (within a second). */
    public boolean delete(UUID id, UUID userId, boolean admin) {
        if (!store.delete(id, userId, admin)) {
            return false;
        }
        cache.keyDeleted(id.toString());
        return true;
    }

    /** 256 random bits, URL-safe Base64: a key nobody else knows. */
    static String randomSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static boolean wellFormed(String key) {
        if (key.length() < PREFIX.length() + PREFIX_CHARS + 1 || key.length() > 200 || !key.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < PREFIX.length() + PREFIX_CHARS; i++) {
            char c = key.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    static String sha256(String key) {
        return HEX.formatHex(digest(key));
    }

    private static byte[] digest(String key) {
        MessageDigest md;
        try {
            md = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            md = newSha256();
        }
        return md.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
