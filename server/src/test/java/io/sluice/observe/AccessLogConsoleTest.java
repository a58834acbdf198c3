package io.sluice.observe;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access lines always reach server.log (asynchronously); the console gets them only when asked
 * (logging.access-console, or development mode with auto), and dropped lines are a metric.
 */
class AccessLogConsoleTest {

    @Test
    void consoleGetsAccessLinesOnlyWhenAsked() throws Exception {
        assertFalse(consoleShowsAccessLine("false"), "access-console: false keeps access lines off the console");
        assertTrue(consoleShowsAccessLine("true"), "access-console: true writes them to the console");
    }

    private static boolean consoleShowsAccessLine(String console) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String id = "console-" + UUID.randomUUID();
        try (TestServer server = TestServer.start(Map.of("logging.access-console", console))) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertEquals(200, server.send(HttpRequest.newBuilder(server.uri("/diag/sleep?ms=1"))
                                                      .header("X-Request-Id", id)).statusCode());
                // server.log has the line in either case; once it is there, the console has had its turn too.
                await("access line in server.log", Duration.ofSeconds(5),
                      () -> read(server.logDir().resolve("server.log")).contains(id));
            } finally {
                System.setOut(original);
            }
            String metrics = server.send(HttpRequest.newBuilder(server.uri("/observe/metrics"))
                                                 .header("Accept", "text/plain")).body();
            assertTrue(metrics.lines().anyMatch(l -> l.matches("sluice_log_access_dropped_total(\\{.*})? 0(\\.0)?")),
                       "the drop counter is exported:\n" + metrics);
        }
        return captured.toString(StandardCharsets.UTF_8).contains(id);
    }

    private static String read(java.nio.file.Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
