package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * The {@code auth:} section of config.yaml. An empty {@code jwt-secret} means "generate one and keep
 * it in {@code jwt-secret-file}" ({@link JwtSecrets}) — development only: production needs its own.
 * A configured secret that is short or publicly known is refused in every mode.
 */
public record AuthSettings(boolean enabled,
                           @Secret String jwtSecret,
                           String jwtSecretFile,
                           Duration tokenTtl,
                           boolean registration,
                           int passwordMinLength,
                           String adminUsername,
                           @Secret String adminPassword,
                           int loginAttempts,
                           int loginAttemptsPerIp,
                           int loginAccountAttempts,
                           Duration loginAccountDelay,
                           Duration loginWindow,
                           Duration cacheTtl,
                           int cacheMaxEntries) {

    /** The secret config.yaml used to ship: published, so never accepted for signing. */
    static final String OLD_PUBLIC_SECRET = "dev-only-insecure-jwt-secret-change-me-please";
    static final int MIN_SECRET_BYTES = 32;
    /** Strings found in docs and examples; anyone could sign with them. */
    private static final Set<String> KNOWN_WEAK = Set.of(OLD_PUBLIC_SECRET, "your-256-bit-secret-your-256-bit-secret",
            "change-me-change-me-change-me-change-me", "changeme-changeme-changeme-changeme",
            "secret-secret-secret-secret-secret-secret", "0123456789abcdef0123456789abcdef");

    public static AuthSettings from(ConfigReader c, boolean production) {
        AuthSettings s = new AuthSettings(c.bool("auth.enabled"),
                                          c.string("auth.jwt-secret"),
                                          c.string("auth.jwt-secret-file"),
                                          c.duration("auth.token-ttl"),
                                          c.bool("auth.registration"),
                                          c.intAtLeast("auth.password-min-length", 8),
                                          c.string("auth.admin.username").trim().toLowerCase(Locale.ROOT),
                                          c.string("auth.admin.password"),
                                          c.intAtLeast("auth.login-attempts", 1),
                                          c.intAtLeast("auth.login-attempts-per-ip", 1),
                                          c.intAtLeast("auth.login-account-attempts", 1),
                                          c.duration("auth.login-account-delay"),
                                          c.duration("auth.login-window"),
                                          c.duration("auth.cache.ttl"),
                                          c.intAtLeast("auth.cache.max-entries", 0));
        if (s.jwtSecret.isEmpty()) {
            if (production) {
                throw new InvalidConfigException("auth.jwt-secret", "",
                        "missing; production mode needs a secret of its own: set AUTH_JWT_dash_SECRET "
                        + "(at least " + MIN_SECRET_BYTES + " random bytes, e.g. openssl rand -base64 48)");
            }
            if (s.jwtSecretFile.isBlank()) {
                throw new InvalidConfigException("auth.jwt-secret-file", "",
                        "empty; with no auth.jwt-secret the generated secret is kept in this file");
            }
        } else {
            String problem = weakness(s.jwtSecret);
            if (problem != null) {
                throw new InvalidConfigException("auth.jwt-secret", "***", problem + " (e.g. openssl rand -base64 48)");
            }
        }
        if (s.loginAccountDelay.isNegative() || s.loginAccountDelay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new InvalidConfigException("auth.login-account-delay", s.loginAccountDelay.toString(), "must be 0 to 10s");
        }
        if (!Usernames.valid(s.adminUsername)) {
            throw new InvalidConfigException("auth.admin.username", s.adminUsername, Usernames.RULE);
        }
        return s;
    }

    /** Why a secret must not sign tokens, or null when it may. */
    static String weakness(String secret) {
        if (KNOWN_WEAK.contains(secret)) {
            return "a publicly known value; anyone could sign tokens with it";
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            return "too short: at least " + MIN_SECRET_BYTES + " bytes";
        }
        if (secret.chars().distinct().count() < 8) {
            return "too little variety (fewer than 8 distinct characters)";
        }
        return null;
    }

    @Override
    public String toString() {   // never print the secret or the admin password
        return "AuthSettings[enabled=" + enabled + ", jwtSecretFile=" + jwtSecretFile + ", tokenTtl=" + tokenTtl
               + ", registration=" + registration + ", cacheTtl=" + cacheTtl + ", cacheMaxEntries=" + cacheMaxEntries + "]";
    }
}
