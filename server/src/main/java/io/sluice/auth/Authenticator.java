package io.sluice.auth;

import java.util.Locale;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** Turns an {@code Authorization: Bearer <JWT or API key>} header into a principal, or a 401. */
public final class Authenticator {
    private final Jwt jwt;
    private final Revocations revocations;
    private final ApiKeys keys;
    private final UserStates users;

    Authenticator(Jwt jwt, Revocations revocations, ApiKeys keys, UserStates users) {
        this.jwt = jwt;
        this.revocations = revocations;
        this.keys = keys;
        this.users = users;
    }

    /**
     * The principal when the credential can be settled in memory — a cached API key, or a JWT whose
     * signature and expiry hold, that is not revoked and whose user's standing is cached — else null:
     * unknown keys, bad tokens, uncached users and missing headers go to {@link #authenticate}, which
     * may ask PostgreSQL and answers the 401.
     */
    public Principal fromMemory(String authorization) {
        if (authorization == null || authorization.length() < 8
            || !authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        if (ApiKeys.looksLikeKey(token)) {
            return keys.cached(token);
        }
        try {
            Jwt.Claims claims = jwt.verify(token);
            if (revocations.revoked(claims.tokenId())) {
                return null;
            }
            UserStates.State user = users.cached(claims.subject());
            return user == null || !user.active() ? null : principal(claims, user);
        } catch (Jwt.InvalidTokenException e) {
            return null;
        }
    }

    public Principal authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("missing credentials: send Authorization: Bearer <token or API key>");
        }
        if (authorization.length() < 8 || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            throw unauthorized("unsupported authorization scheme: use Bearer");
        }
        String token = authorization.substring(7).trim();
        if (ApiKeys.looksLikeKey(token)) {
            return keys.authenticate(token).orElseThrow(() -> unauthorized("invalid API key"));
        }
        Jwt.Claims claims;
        try {
            claims = jwt.verify(token);
        } catch (Jwt.InvalidTokenException e) {
            throw unauthorized("invalid token: " + e.getMessage());
        }
        if (revocations.revoked(claims.tokenId())) {
            throw unauthorized("token has been revoked");
        }
        UserStates.State user = users.current(claims.subject());
        if (!user.active()) {
            throw unauthorized("the token's user no longer exists or is disabled");
        }
        return principal(claims, user);
    }

    /** The role is the user's current one, never the token's: a demotion takes effect at once. */
    private static Principal principal(Jwt.Claims claims, UserStates.State user) {
        return new Principal(claims.subject(), user.username(), user.role(), null, claims.tokenId(), claims.expiresAt());
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(ErrorCode.INVALID_API_KEY, message);
    }
}
