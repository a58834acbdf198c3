package io.sluice.auth;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A first start on an empty database creates the admin and prints its generated password once, to
 * the console only; the next start prints nothing. (Own embedded PostgreSQL: the shared one has users.)
 */
class AdminBootstrapTest {
    private static final Pattern PASSWORD = Pattern.compile("password: (\\S+)");

    @Test
    void firstStartPrintsTheAdminPasswordOnceAndNeverLogsIt() throws Exception {
        Path data = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "bootstrap-");
        Map<String, String> config = Map.of("database.url", "", "database.embedded.data-dir", data.resolve("pg").toString(),
                                            "auth.enabled", "true");
        String password;
        Path logs;
        String console = capture(() -> {
            try (TestServer s = TestServer.start(config)) {
                return s.logDir();
            }
        });
        Matcher m = PASSWORD.matcher(console);
        assertTrue(m.find(), "the password is printed: " + console);
        password = m.group(1);
        logs = lastLogDir;
        assertFalse(Files.readString(logs.resolve("server.log")).contains(password), "never in the log file");

        String again = capture(() -> {
            try (TestServer s = TestServer.start(config)) {
                String token = Users.login(s, "admin", password);
                assertEquals("admin", TestServer.json(Users.get(s, "/api/auth/verify", token)).path("user").path("role").asText());
                return s.logDir();
            }
        });
        assertFalse(PASSWORD.matcher(again).find(), "printed only on the first start");
    }

    private static Path lastLogDir;

    private interface Run {
        Path run() throws Exception;
    }

    private static String capture(Run run) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            lastLogDir = run.run();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
