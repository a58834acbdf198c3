package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/**
 * HS256 JSON Web Tokens with the JDK's HMAC. Only {@code alg: HS256} is accepted — {@code none},
 * RS256 (algorithm confusion) and anything else are refused before the signature is even looked at —
 * the signature is compared in constant time, and the expiry is always checked.
 */
public final class Jwt {
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();
    private static final String HEADER = ENC.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final int MAX_LENGTH = 4096;
    private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;   // 9999-12-31T23:59:59Z

    private final SecretKeySpec key;
    private final Duration ttl;
    private final Clock clock;

    public Jwt(String secret, Duration ttl, Clock clock) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A verified token: who, which role, its id (for revocation) and when it expires. */
    public record Claims(String subject, String username, String role, String tokenId, Instant expiresAt) {
    }

    /** Thrown for any token that is not one of ours, or no longer valid; the message is safe to show. */
    public static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }

    public String issue(String userId, String username, String role) {
        Instant now = clock.instant();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", userId);
        claims.put("name", username);
        claims.put("role", role);
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        String signingInput = HEADER + "." + ENC.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + ENC.encodeToString(sign(signingInput));
    }

    public Duration ttl() {
        return ttl;
    }

    public Claims verify(String token) throws InvalidTokenException {
        if (token.length() > MAX_LENGTH) {
            throw new InvalidTokenException("token too long");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[2].isEmpty()) {
            throw new InvalidTokenException("malformed token");
        }
        JsonNode header = decodeJson(parts[0]);
        if (!"HS256".equals(header.path("alg").asText(null))) {
            throw new InvalidTokenException("unsupported token algorithm");
        }
        byte[] given;
        try {
            given = DEC.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("malformed token signature");
        }
        if (!MessageDigest.isEqual(sign(parts[0] + "." + parts[1]), given)) {
            throw new InvalidTokenException("bad token signature");
        }
        JsonNode claims = decodeJson(parts[1]);
        if (claims.get("exp") == null) {
            throw new InvalidTokenException("token has no expiry");
        }
        Instant expiresAt = Instant.ofEpochSecond(epochSeconds(claims, "exp"));
        if (claims.has("iat")) {
            epochSeconds(claims, "iat");   // present: must be a sane time too
        }
        if (!clock.instant().isBefore(expiresAt)) {
            throw new InvalidTokenException("token expired");
        }
        String sub = claims.path("sub").isTextual() ? claims.get("sub").asText() : "";   // a number is no user id of ours
        String jti = claims.path("jti").isTextual() ? claims.get("jti").asText() : "";
        if (sub.isEmpty() || jti.isEmpty()) {
            throw new InvalidTokenException("token lacks sub or jti");
        }
        return new Claims(sub, claims.path("name").asText(""), claims.path("role").asText("user"), jti, expiresAt);
    }

    /**
     * A time claim as epoch seconds, refused unless a number between 1970 and the year 9999: a value
     * that overflows a long, or an {@link Instant}, is a bad token (401), never an exception (500).
     */
    private static long epochSeconds(JsonNode claims, String name) throws InvalidTokenException {
        JsonNode v = claims.get(name);
        if (v == null || !v.isNumber() || !v.canConvertToLong()) {
            throw new InvalidTokenException("token claim " + name + " is not a valid time");
        }
        long seconds = v.asLong();
        if (seconds < 0 || seconds > MAX_EPOCH_SECONDS) {
            throw new InvalidTokenException("token claim " + name + " is out of range");
        }
        return seconds;
    }

    private byte[] sign(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static JsonNode decodeJson(String part) throws InvalidTokenException {
        try {
            JsonNode node = Json.MAPPER.readTree(DEC.decode(part));
            if (node == null || !node.isObject()) {
                throw new InvalidTokenException("malformed token");
            }
            return node;
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new InvalidTokenException("malformed token");
        }
    }
}
