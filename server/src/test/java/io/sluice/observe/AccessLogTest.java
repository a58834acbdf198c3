package io.sluice.observe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One line per request with every field an operator needs, and no secret in any log file. */
class AccessLogTest {
    private static final String SECRET = "sk-live-Very-Secret-Token-12345";

    private static HttpRequest.Builder tracedRequest(TestServer server) {
        return HttpRequest.newBuilder(server.uri("/diag/sleep?ms=5&api_key=" + SECRET))
                .header("Authorization", "Bearer " + SECRET)
                .header("Cookie", "session=" + SECRET)
                .header("session-id", "sess-42")
                .header("User-Agent", "access-log-test/1.0")
                .header("X-Request-Id", "trace-abc-123")
                .GET();
    }

    @Test
    void textLineHasEveryFieldAndNoSecret() {
        try (TestServer server = TestServer.start(Map.of())) {
            assertEquals(200, server.send(tracedRequest(server)).statusCode());
            String line = awaitLine(server.logDir().resolve("server.log"), "trace-abc-123");
            assertTrue(line.matches("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .*"), "timestamp: " + line);
            for (String field : List.of("trace-abc-123", "GET", "/diag/sleep", "ip=127.0.0.1", "session=sess-42",
                                        "ua=\"access-log-test/1.0\"", "status=200", "duration_ms=")) {
                assertTrue(line.contains(field), field + " missing in: " + line);
            }
            // A failing request is logged with its real status.
            server.get("/no/such/route");
            assertTrue(awaitLine(server.logDir().resolve("server.log"), "/no/such/route").contains("status=404"));
            assertNoSecret(server.logDir());
        }
    }

    @Test
    void jsonFormatCarriesTheSameFields() throws IOException {
        try (TestServer server = TestServer.start(Map.of("logging.format", "json"))) {
            assertEquals(200, server.send(tracedRequest(server)).statusCode());
            JsonNode event = Json.MAPPER.readTree(awaitLine(server.logDir().resolve("server.log"), "trace-abc-123"));
            assertEquals("INFO", event.get("level").asText());
            Map<String, String> kv = new java.util.HashMap<>();
            event.get("kvpList").forEach(pair -> pair.fields().forEachRemaining(e -> kv.put(e.getKey(), e.getValue().asText())));
            assertEquals("trace-abc-123", kv.get("request_id"));
            assertEquals("GET", kv.get("method"));
            assertEquals("/diag/sleep", kv.get("path"));
            assertEquals("127.0.0.1", kv.get("client_ip"));
            assertEquals("sess-42", kv.get("session_id"));
            assertEquals("access-log-test/1.0", kv.get("user_agent"));
            assertEquals("200", kv.get("status"));
            assertTrue(Double.parseDouble(kv.get("duration_ms")) >= 0);
            assertNoSecret(server.logDir());
        }
    }

    @Test
    void errorsGoToErrorLogOnly() {
        try (TestServer server = TestServer.start(Map.of())) {
            org.slf4j.LoggerFactory.getLogger("test").error("boom-marker");
            org.slf4j.LoggerFactory.getLogger("test").info("info-marker");
            awaitLine(server.logDir().resolve("error.log"), "boom-marker");
            String errors = read(server.logDir().resolve("error.log"));
            assertFalse(errors.contains("info-marker"), "error.log holds ERROR only");
            assertTrue(awaitLine(server.logDir().resolve("server.log"), "info-marker").contains("INFO"));
        }
    }

    private static void assertNoSecret(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(f -> assertFalse(read(f).contains(SECRET), "secret leaked into " + f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String awaitLine(Path file, String marker) {
        String[] found = new String[1];
        await(marker + " in " + file, Duration.ofSeconds(5), () -> {
            found[0] = read(file).lines().filter(l -> l.contains(marker)).findFirst().orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
