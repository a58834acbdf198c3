package io.sluice.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.sluice.config.ConfigReader;
import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With no secret configured, the first start generates one into the data directory (owner-only) and
 * the next start on the same directory reuses it, so a token survives a restart; tokens signed with
 * the secret config.yaml used to publish are refused, and that secret cannot be configured.
 */
class JwtSecretTest {

    @Test
    void theGeneratedSecretIsPrivateAndSurvivesARestart() throws Exception {
        Path data = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "jwt-data-");
        Path file = data.resolve("secrets/jwt-secret");
        Map<String, String> config = Map.of("auth.enabled", "true", "auth.registration", "true",
                                            "auth.jwt-secret-file", file.toString());
        String user = Users.fresh("restart");
        String token;
        String secret;
        try (TestServer first = TestServer.start(config)) {
            token = Users.registerAndLogin(first, user);
            assertEquals(200, Users.get(first, "/api/auth/verify", token).statusCode());
            secret = Files.readString(file).trim();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertTrue(secret.length() >= 43, "at least 256 bits, Base64: " + secret.length() + " chars");

        try (TestServer second = TestServer.start(config)) {
            assertEquals(200, Users.get(second, "/api/auth/verify", token).statusCode(), "run 1's token works in run 2");
            assertEquals(secret, Files.readString(file).trim(), "the same secret, not a new one");
            String forged = new Jwt(AuthSettings.OLD_PUBLIC_SECRET, Duration.ofHours(1), Clock.systemUTC())
                    .issue(TestServer.json(Users.get(second, "/api/auth/verify", token)).at("/user/id").asText(), "admin", "admin");
            var r = Users.get(second, "/api/auth/verify", forged);
            assertEquals(401, r.statusCode(), "a token signed with the old public secret: " + r.body());
            assertEquals("invalid_api_key", TestServer.json(r).at("/error/code").asText());
        }

        Path other = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "jwt-data-");
        try (TestServer elsewhere = TestServer.start(Map.of("auth.enabled", "true",
                "auth.jwt-secret-file", other.resolve("secrets/jwt-secret").toString()))) {
            assertNotEquals(secret, Files.readString(other.resolve("secrets/jwt-secret")).trim(), "random per data directory");
            assertEquals(401, Users.get(elsewhere, "/api/auth/verify", token).statusCode());
        }
    }

    @Test
    void thePublishedSecretCannotBeConfigured() {
        var e = assertThrows(ConfigReader.InvalidConfigException.class, () -> TestServer.start(
                Map.of("auth.enabled", "true", "auth.jwt-secret", AuthSettings.OLD_PUBLIC_SECRET)));
        assertTrue(e.getMessage().contains("auth.jwt-secret") && e.getMessage().contains("publicly known"), e.getMessage());
    }
}
