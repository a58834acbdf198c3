package io.sluice.observe.monitor;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resource monitoring on a real server: the /metrics JSON and Prometheus gauges carry CPU, memory,
 * disk, connections and the virtual-thread view; held sockets show up as open connections; and an
 * in-process alert (response time, threshold set low) fires once, is logged once at WARN, reaches a
 * webhook receiver on a port, and resolves once the slow traffic has stopped.
 */
class MonitoringTest {
    private static final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
    private static HttpServer receiver;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            hooks.add(io.sluice.http.Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        server = TestServer.start(Map.of(
                "monitoring.interval", "200ms",
                "monitoring.alerts.window", "1s",
                "monitoring.alerts.min-requests", "1",
                "monitoring.alerts.response-time", "100ms",
                "monitoring.alerts.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/token-xyz"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        receiver.stop(0);
    }

    @Test
    void metricsJsonAndPrometheusCarryResourcesAndVirtualThreads() {
        await("a first sample", Duration.ofSeconds(10),
              () -> !metrics().at("/resources/sampled_at").asText().startsWith("1970"));
        JsonNode m = metrics();
        JsonNode r = m.get("resources");
        assertTrue(r.at("/memory/heap_max_bytes").asLong() > 0, r.toString());
        assertTrue(r.at("/memory/heap_used_bytes").asLong() > 0, r.toString());
        assertTrue(r.at("/cpu/available_processors").asInt() >= 1, r.toString());
        assertEquals(server.logDir().toAbsolutePath().toString(), r.at("/disk/logs/path").asText());
        assertTrue(r.at("/disk/logs/filesystem_total_bytes").asLong() > 0, r.toString());
        assertTrue(r.at("/disk/data/filesystem_total_bytes").asLong() > 0, r.toString());
        assertTrue(r.has("load_average") && r.has("connections"), r.toString());
        assertTrue(r.get("ready").asBoolean(), "PostgreSQL and Redis answer: ready");
        if (Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
            assertTrue(r.at("/memory/rss_bytes").asLong() > r.at("/memory/heap_used_bytes").asLong() / 2, r.toString());
            assertTrue(r.at("/memory/system_percent").asDouble() > 0, r.toString());
        }

        JsonNode pool = m.get("thread_pool");
        assertTrue(pool.get("carrier_parallelism").asInt() >= 1, pool.toString());
        assertEquals(-1, pool.get("live_virtual_threads").asInt(), "metrics.virtual-threads off by default: " + pool);
        assertTrue(pool.has("pinned_events") && pool.has("queued_virtual_threads"), pool.toString());
        if (Runtime.version().feature() >= 24) {   // the scheduler MXBean exists from JDK 24
            assertTrue(pool.get("mounted_virtual_threads").asInt() >= 1, "this request runs on one: " + pool);
            assertTrue(server.health().get("thread_pool_active").asInt() >= 1, "the /health handler runs on one");
        }
        assertEquals(5, m.at("/alerts/rules").size(), m.get("alerts").toString());

        String page = server.get("/observe/metrics").body();
        for (String name : List.of("sluice_cpu_process_ratio", "sluice_cpu_system_ratio", "sluice_memory_rss_bytes",
                                   "sluice_memory_system_used_ratio", "sluice_disk_used_ratio{dir=\"logs\"",
                                   "sluice_connections_open", "sluice_system_load_average{", "sluice_vthreads_mounted",
                                   "sluice_alert_firing{alert=\"cpu\"", "sluice_readiness_changes_total")) {
            assertTrue(page.contains(name), name + " missing from /observe/metrics");
        }
        assertTrue(page.contains("sluice_ready{scope=\"application\",} 1.0"), "sluice_ready is 1");
    }

    @Test
    void heldSocketsAreCountedAsOpenConnections() throws Exception {
        await("a sample with the port", Duration.ofSeconds(10), () -> openConnections() >= 0);
        if (openConnections() < 0) {
            return;   // no /proc/net/tcp on this OS: reported as -1, nothing to count
        }
        int before = openConnections();
        List<Socket> sockets = new ArrayList<>();
        int[] peak = {0};
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                OutputStream out = s.getOutputStream();
                out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.getInputStream().read();   // answered: the server holds the connection (keep-alive)
                sockets.add(s);
            }
            await("5 more open connections than " + before, Duration.ofSeconds(10),
                  () -> (peak[0] = openConnections()) >= before + 5);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        await("the 5 closed connections gone", Duration.ofSeconds(10), () -> openConnections() <= peak[0] - 5);
    }

    @Test
    void slowRequestsFireOneAlertEpisodeThatResolvesAndReachesTheWebhook() throws Exception {
        // Slow traffic goes on until the webhook and the gauge have been seen firing: were it to stop first, the
        // alert would resolve a window (1 s) later, which a loaded machine can reach before the checks, and a
        // second burst would start a second episode.
        java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (java.util.concurrent.ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.Future<?> traffic = pool.submit(() -> {
                for (int i = 0; i < 4 || slow.get(); i++) {
                    assertEquals(200, server.get("/diag/sleep?ms=300").statusCode());
                }
                return null;
            });
            try {
                await("response_time firing at the webhook", Duration.ofSeconds(15), () -> events("firing") == 1);
                JsonNode fired = hooks.stream().filter(h -> h.get("alert").asText().equals("response_time")).findFirst().orElseThrow();
                assertTrue(fired.get("value").asDouble() >= 0.25, "p95 as a bucket bound: " + fired);
                assertEquals(0.1, fired.get("threshold").asDouble(), 1e-9);
                assertTrue(!fired.get("instance").asText().isEmpty(), fired.toString());
                await("the firing gauge", Duration.ofSeconds(15), () -> server.get("/observe/metrics").body()
                        .contains("sluice_alert_firing{alert=\"response_time\",scope=\"application\",} 1.0"));
            } finally {
                slow.set(false);
            }
            traffic.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        // No more slow traffic: below the line (or no verdict) for a whole window, then resolved, once.
        await("response_time resolved at the webhook", Duration.ofSeconds(15), () -> events("resolved") == 1);
        assertEquals(1, events("firing"), "one episode, one firing event: " + hooks);
        await("the WARN lines", Duration.ofSeconds(10), () -> logLines("alert response_time resolved") == 1);
        assertEquals(1, logLines("alert response_time firing"), "logged once per episode");
        String log = Files.readString(server.logDir().resolve("server.log"));
        assertTrue(!log.contains("token-xyz"), "the webhook URL's path may hold a token: never logged");
    }

    private static long events(String state) {
        return hooks.stream().filter(h -> h.get("alert").asText().equals("response_time")
                                          && h.get("state").asText().equals(state)).count();
    }

    private static long logLines(String text) {
        try {
            return Files.readAllLines(server.logDir().resolve("server.log")).stream()
                    .filter(l -> l.contains("WARN") && l.contains(text)).count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static int openConnections() {
        return metrics().at("/resources/connections/open").asInt();
    }

    private static JsonNode metrics() {
        return TestServer.json(server.get("/metrics"));
    }
}
