package io.sluice.observe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.sluice.infra.Database;
import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log files as configured by {@link Logs} (in a context of their own, so the test's server logs are
 * untouched): the size cap holds under a burst, a line cannot be forged or unbounded, and a database
 * error that quotes user content reaches error.log as its SQLState only.
 */
class LogSafetyTest {
    private static final long CAP = 64 * 1024;

    @Test
    void rotatedFilesStayUnderTheCapDuringABurst() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "log-cap-");
        LoggerContext ctx = new LoggerContext();
        Logger log = logger(ctx, dir, CAP);
        String line = "x".repeat(200);
        for (int i = 0; i < 20_000; i++) {   // ~4.6 MB in well under the minute logback's own size policy waits
            log.info("burst {} {}", i, line);
        }
        ctx.stop();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("server.log")).toList();
        }
        assertEquals(4, files.size(), "server.log and 3 rotated files: " + files);
        for (Path f : files) {
            assertTrue(Files.size(f) <= CAP + 512, f + " is " + Files.size(f) + " bytes, cap " + CAP);
        }
    }

    @Test
    void messagesAreOneBoundedLineAndDatabaseErrorsKeepOnlyTheirSqlState() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "log-safe-");
        LoggerContext ctx = new LoggerContext();
        Logger log = logger(ctx, dir, 10 * 1024 * 1024);
        log.warn("client sent {}", "evil\r\n2026-01-01 00:00:00.000 ERROR forged - line\u0007");
        log.warn("long {}", "y".repeat(100_000));
        SQLException real = realDatabaseError("my secret prompt");
        log.error("request failed", new Database.DatabaseException(real));
        log.error("batch failed: {}", real.toString());
        ctx.stop();

        List<String> server = Files.readAllLines(dir.resolve("server.log"), StandardCharsets.UTF_8);
        assertTrue(server.stream().noneMatch(l -> l.startsWith("2026-01-01")), "no forged line: " + server);
        assertTrue(server.stream().anyMatch(l -> l.contains("evil\\r\\n2026-01-01") && l.contains("line?")), server.toString());
        assertTrue(server.stream().allMatch(l -> l.length() < SafeLogEvent.MAX_MESSAGE + 200), "lines are bounded");
        String errors = Files.readString(dir.resolve("error.log"), StandardCharsets.UTF_8);
        assertFalse(errors.contains("my secret prompt"), errors);
        assertTrue(errors.contains("SQLState " + real.getSQLState()), errors);
        assertTrue(errors.contains("org.postgresql.util.PSQLException"), "the class and stack stay for diagnosis: " + errors);
    }

    /** PostgreSQL's own message quotes the value it refused. */
    private static SQLException realDatabaseError(String value) throws SQLException {
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("SELECT ?::int")) {
            ps.setString(1, value);
            ps.executeQuery();
            throw new AssertionError("not an integer");
        } catch (SQLException e) {
            assertTrue(e.getMessage().contains(value), "the case under test: " + e.getMessage());
            return e;
        }
    }

    private static Logger logger(LoggerContext ctx, Path dir, long cap) {
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        LogSettings s = new LogSettings(dir.toString(), false, cap, 3);
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(Logs.file(ctx, s, "server", Level.INFO, false));
        root.addAppender(Logs.file(ctx, s, "error", Level.ERROR, true));
        return ctx.getLogger("test");
    }
}
