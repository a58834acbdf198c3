package io.sluice.report;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code sluice report} against a running server while it gets traffic, and its answers to bad arguments. */
class ReportCommandTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run report(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void samplesARunningInstanceAndSummarisesTheTrafficItGot() throws Exception {
        Path output = server.logDir().resolve("report.json");
        // Traffic during the run: 60 API requests over about 2.5 s, half answered 200 and half 404 (no 5xx).
        // It spreads over most of the 3 s window so that at least some of it falls between the first and the
        // last sample even when a loaded machine delays the first sample or slows the traffic.
        Thread traffic = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 30; i++) {
                server.get("/v1/models");
                server.get("/v1/no-such-route");
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Thread.sleep(5);
        Run run = report("--url", "http://127.0.0.1:" + server.port() + "/", "--duration", "3000ms", "--interval", "1000ms",
                         "--output", output.toString());
        traffic.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(0, run.exit(), run.err());

        JsonNode report = Json.MAPPER.readTree(Files.readString(output));
        assertEquals(4, report.path("samples").size(), "a sample at the start and one per interval");
        JsonNode summary = report.path("summary");
        assertEquals(4, summary.path("answered").asInt());
        assertTrue(summary.path("requests").asLong() >= 10, summary.toString());
        assertTrue(summary.path("requests").asLong() <= 60, "the sampler's own calls are not counted: " + summary);
        assertEquals(0, summary.path("server_errors").asLong());
        assertEquals(0.0, summary.path("error_rate").asDouble());
        assertTrue(summary.path("request_rate_per_second").asDouble() > 0, summary.toString());
        JsonNode inFlight = summary.path("figures").path("health.concurrent_requests");
        for (String stat : List.of("min", "avg", "max", "p95")) {
            assertTrue(inFlight.path(stat).isNumber(), stat + " of health.concurrent_requests: " + inFlight);
        }
        assertTrue(summary.path("figures").has("metrics.database.active"), summary.path("figures").toString());
        assertTrue(report.path("samples").get(0).path("figures").path("health.max_concurrent_requests").asInt() > 0);
        assertTrue(run.out().contains("requests: "), run.out());
        assertTrue(run.out().contains("concurrent_requests"), run.out());
    }

    @Test
    void badArgumentsPrintTheUsageAndExitWithTwo() {
        for (String[] args : List.of(new String[] {},
                                     new String[] {"--duration", "5m"},
                                     new String[] {"--url", "ftp://host"},
                                     new String[] {"--url", "http://h", "--interval", "0s"},
                                     new String[] {"--url", "http://h", "--duration", "soon"},
                                     new String[] {"--url", "http://h", "--interval", "1m", "--duration", "10s"},
                                     new String[] {"--url", "http://h", "--verbose", "yes"},
                                     new String[] {"--url"})) {
            Run run = report(args);
            assertEquals(2, run.exit(), String.join(" ", args));
            assertTrue(run.err().contains("usage: java -jar sluice.jar report"), run.err());
        }
    }

    @Test
    void mainDispatchesTheSubcommandWithoutStartingAServer() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", classpath, "io.sluice.Main", "report", "--duration", "1s")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "report with bad arguments exits at once");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--url is required"), out);
    }
}
