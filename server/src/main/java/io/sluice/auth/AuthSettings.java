package io.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/** The {@code auth:} section of config.yaml. */
public record AuthSettings(boolean enabled,
                           @Secret String jwtSecret,
                           Duration tokenTtl,
                           boolean registration,
                           int passwordMinLength,
                           String adminUsername,
                           @Secret String adminPassword,
                           int loginAttempts,
                           Duration loginWindow,
                           Duration cacheTtl,
                           int cacheMaxEntries) {

    /** The secret shipped in config.yaml: fine on a laptop, refused in production mode. */
    public static final String DEVELOPMENT_SECRET = "dev-only-insecure-jwt-secret-change-me-please";
    static final int MIN_SECRET_BYTES = 32;

    public static AuthSettings from(ConfigReader c, boolean production) {
        AuthSettings s = new AuthSettings(c.bool("auth.enabled"),
                                          c.string("auth.jwt-secret"),
                                          c.duration("auth.token-ttl"),
                                          c.bool("auth.registration"),
                                          c.intAtLeast("auth.password-min-length", 8),
                                          c.string("auth.admin.username").trim().toLowerCase(java.util.Locale.ROOT),
                                          c.string("auth.admin.password"),
                                          c.intAtLeast("auth.login-attempts", 1),
                                          c.duration("auth.login-window"),
                                          c.duration("auth.cache.ttl"),
                                          c.intAtLeast("auth.cache.max-entries", 0));
        int secretBytes = s.jwtSecret.getBytes(StandardCharsets.UTF_8).length;
        if (production && (secretBytes == 0 || s.jwtSecret.equals(DEVELOPMENT_SECRET))) {
            throw new InvalidConfigException("auth.jwt-secret", "***",
                    "missing or the development default; production mode needs a secret of its own (set AUTH_JWT_dash_SECRET)");
        }
        if (secretBytes < MIN_SECRET_BYTES && (production || s.enabled)) {
            throw new InvalidConfigException("auth.jwt-secret", "***",
                    "too short: at least " + MIN_SECRET_BYTES + " bytes (e.g. openssl rand -base64 48)");
        }
        if (!Usernames.valid(s.adminUsername)) {
            throw new InvalidConfigException("auth.admin.username", s.adminUsername, Usernames.RULE);
        }
        return s;
    }

    @Override
    public String toString() {   // never print the secret or the admin password
        return "AuthSettings[enabled=" + enabled + ", tokenTtl=" + tokenTtl + ", registration=" + registration
               + ", cacheTtl=" + cacheTtl + ", cacheMaxEntries=" + cacheMaxEntries + "]";
    }
}
