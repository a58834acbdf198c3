package io.sluice.auth;

import java.util.Map;

import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Production mode refuses a missing, default or short JWT secret, naming the key. */
class AuthSettingsTest {

    private static AuthSettings read(Map<String, String> overrides, boolean production) {
        return AuthSettings.from(new ConfigReader(AppConfig.load(overrides)), production);
    }

    @Test
    void productionRefusesWeakSecrets() {
        for (String secret : new String[] {"", AuthSettings.DEVELOPMENT_SECRET, "too-short"}) {
            var e = assertThrows(ConfigReader.InvalidConfigException.class,
                                 () -> read(Map.of("auth.jwt-secret", secret), true));
            assertTrue(e.getMessage().contains("auth.jwt-secret"), e.getMessage());
            assertTrue(!e.getMessage().contains(secret) || secret.isEmpty(), "the secret itself is never printed");
        }
        assertDoesNotThrow(() -> read(Map.of("auth.jwt-secret", "a-real-secret-with-enough-bytes-0123456789"), true));
        assertDoesNotThrow(() -> read(Map.of(), false), "development accepts the shipped default");
    }
}
