package io.sluice.auth;

import java.util.Map;

import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Production mode needs a JWT secret of its own; a short or publicly known one is refused in every mode. */
class AuthSettingsTest {

    private static AuthSettings read(Map<String, String> overrides, boolean production) {
        return AuthSettings.from(new ConfigReader(AppConfig.load(overrides)), production);
    }

    @Test
    void productionRefusesAMissingSecretNamingTheKey() {
        var e = assertThrows(ConfigReader.InvalidConfigException.class, () -> read(Map.of(), true));
        assertTrue(e.getMessage().contains("auth.jwt-secret") && e.getMessage().contains("production"), e.getMessage());
        assertDoesNotThrow(() -> read(Map.of("auth.jwt-secret", "a-real-secret-with-enough-bytes-0123456789"), true));
    }

    @Test
    void weakOrPublicSecretsAreRefusedInEveryMode() {
        for (boolean production : new boolean[] {true, false}) {
            for (String secret : new String[] {AuthSettings.OLD_PUBLIC_SECRET, "too-short",
                                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
                var e = assertThrows(ConfigReader.InvalidConfigException.class,
                                     () -> read(Map.of("auth.jwt-secret", secret), production));
                assertTrue(e.getMessage().contains("auth.jwt-secret"), e.getMessage());
                assertTrue(!e.getMessage().contains(secret), "the secret itself is never printed");
            }
        }
    }

    @Test
    void developmentWithoutASecretUsesTheGeneratedFile() {
        AuthSettings s = read(Map.of(), false);
        assertEquals("", s.jwtSecret(), "config.yaml ships no secret");
        assertEquals("data/secrets/jwt-secret", s.jwtSecretFile());
    }
}
