package io.sluice.auth;

import java.util.Locale;

import io.sluice.http.ApiException;

/** Turns an {@code Authorization: Bearer <JWT or API key>} header into a principal, or a 401. */
public final class Authenticator {
    private final Jwt jwt;
    private final Revocations revocations;
    private final ApiKeys keys;

    public Authenticator(Jwt jwt, Revocations revocations, ApiKeys keys) {
        this.jwt = jwt;
        this.revocations = revocations;
        this.keys = keys;
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
        return new Principal(claims.subject(), claims.username(), Principal.Role.of(claims.role()), null,
                             claims.tokenId(), claims.expiresAt());
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_api_key", message);
    }
}
