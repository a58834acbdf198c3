package io.sluice.llm;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.ProviderGauges;
import io.sluice.support.TcpProxy;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider that hangs fills only its own bulkhead: a model served by another provider keeps
 * answering at once. A client that leaves a silent stream is noticed within about a second (the
 * probe, not the 10 s ping), and its slot and upstream socket are given back.
 */
class ProviderIsolationTest {
    private static final FakeUpstream STUCK = FakeUpstream.start();
    private static final TcpProxy PROXY = new TcpProxy("127.0.0.1", port(STUCK.baseUrl()));
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("good", Map.of(
            "llm.providers.stuck.type", "openai-compatible",
            "llm.providers.stuck.base-url", "http://127.0.0.1:" + PROXY.port() + "/v1",
            "llm.providers.stuck.max-concurrent", "2",
            "llm.providers.stuck.max-queue", "0",
            "llm.models.stuck.route", "stuck:m",
            "llm.models.good.route", "good:m",
            "llm.ping-interval", "10s",
            "llm.client-probe-interval", "300ms"));

    @AfterEach
    void slotsBack() {
        ProviderGauges.awaitIdle(gateway.server(), "stuck", "good");
        STUCK.reset();
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        PROXY.close();
        STUCK.close();
    }

    private static int port(String baseUrl) {
        return java.net.URI.create(baseUrl).getPort();
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    @Test
    void aHangingProviderFillsOnlyItsOwnBulkhead() throws Exception {
        TestServer server = gateway.server();
        CountDownLatch release = new CountDownLatch(1);
        STUCK.byDefault(FakeUpstream.holdUntil(release));
        try {
            List<Future<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(pool.submit(() -> server.postJson("/v1/chat/completions", body("stuck", false))));
            }
            await("both stuck slots taken", Duration.ofSeconds(5), () -> ProviderGauges.gauge(server, "stuck", "in_flight") == 2);

            long start = System.nanoTime();
            HttpResponse<String> good = server.postJson("/v1/chat/completions", body("good", false));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, good.statusCode(), good.body());
            // Sharing the stuck provider's slots would mean a 503 or a hang, not a late 200; the bound only leaves
            // a loaded CI machine room for the request itself.
            assertTrue(ms < 5000, "the healthy provider answers at once: " + ms + " ms");

            HttpResponse<String> third = server.postJson("/v1/chat/completions", body("stuck", false));
            assertEquals(503, third.statusCode(), third.body());
            assertEquals("bulkhead_full", json(third).at("/error/code").asText());
            assertTrue(third.headers().firstValue("Retry-After").isPresent());

            release.countDown();
            for (Future<HttpResponse<String>> f : held) {
                assertEquals(200, f.get().statusCode(), f.get().body());
            }
        } finally {
            release.countDown();
        }
    }

    @Test
    void aClientLeavingASilentStreamIsNoticedWithinASecond() throws Exception {
        TestServer server = gateway.server();
        STUCK.byDefault(FakeUpstream.stallAfter(1));   // the role chunk and one word, then silence
        int before;
        long left;
        try (Sse.Connection client = new Sse.Connection(server.port(), "/v1/chat/completions", body("stuck", true), "gone-1")) {
            assertEquals(2, client.readData(2).size());
            assertEquals(1.0, ProviderGauges.gauge(server, "stuck", "in_flight"));
            before = PROXY.openSockets();
            left = System.nanoTime();
        }
        // Within a second on a quiet machine; the bounds leave a loaded CI machine room and stay well under the
        // 10 s ping that would otherwise be what notices.
        await("slot back after the client left", Duration.ofSeconds(5),
              () -> ProviderGauges.gauge(server, "stuck", "in_flight") == 0);
        await("upstream socket closed", Duration.ofSeconds(5), () -> PROXY.openSockets() <= before - 2);
        long ms = (System.nanoTime() - left) / 1_000_000;
        assertTrue(ms < 5000, "noticed by the probe, not the 10 s ping: " + ms + " ms");
    }
}
