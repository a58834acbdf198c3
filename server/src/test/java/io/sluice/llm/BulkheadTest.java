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
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A provider's bulkhead (bulkheads.llm's default) with 2 slots and a queue of 1: the 3rd call waits, the 4th is refused at once, gauges show it. */
class BulkheadTest {
    private static final String QUEUE_TIMEOUT_MS = "4000";
    private static final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("up", Map.of(
                "llm.models.held.route", "up:m",
                "bulkheads.llm.max-concurrent", "2",
                "bulkheads.llm.max-queue", "1",
                "bulkheads.llm.queue-timeout", QUEUE_TIMEOUT_MS + "ms",
                "admission.retry-after", "3s"));
    private static FakeUpstream upstream;
    private static TestServer server;

    @BeforeAll
    static void fields() {
        upstream = gateway.upstream();
        server = gateway.server();
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
    }

    @AfterEach
    void slotsFree() {
        await("bulkhead empty", Duration.ofSeconds(5), () -> gauge("in_flight") == 0 && gauge("queued") == 0);
    }

    private static double gauge(String name) {
        String metrics = server.get("/observe/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sluice_llm_bulkhead_" + name + "{") && line.contains("provider=\"up\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sluice_llm_bulkhead_" + name + " for provider up in:\n" + metrics);
    }

    private static HttpResponse<String> call() {
        return server.postJson("/v1/chat/completions", "{\"model\":\"held\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void thirdCallWaitsForASlotAndFourthIsRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.byDefault(FakeUpstream.holdUntil(release));
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(BulkheadTest::call));
            }
            await("two calls at the upstream, one queued", Duration.ofSeconds(5),
                  () -> upstream.requests().size() == 2 && gauge("in_flight") == 2 && gauge("queued") == 1);

            long start = System.nanoTime();
            HttpResponse<String> fourth = call();
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, fourth.statusCode(), fourth.body());
            assertEquals("bulkhead_full", json(fourth).at("/error/code").asText());
            assertEquals("3", fourth.headers().firstValue("Retry-After").orElse(""));
            assertTrue(waitedMs < Long.parseLong(QUEUE_TIMEOUT_MS), "refused without queueing: " + waitedMs + " ms");
            assertEquals(1.0, gauge("queued"), "the refused call never queued");
            assertEquals(2, upstream.requests().size(), "the queued call is still waiting, not at the upstream");

            release.countDown();
            for (Future<HttpResponse<String>> f : calls) {
                assertEquals(200, f.get().statusCode(), f.get().body());
            }
            assertEquals(3, upstream.requests().size(), "the queued call was served once a slot was free");
        } finally {
            release.countDown();
        }
    }

    @Test
    void queuedCallGives503WhenNoSlotFreesInTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.byDefault(FakeUpstream.holdUntil(release));
        try {
            List<Future<HttpResponse<String>>> holders = List.of(pool.submit(BulkheadTest::call), pool.submit(BulkheadTest::call));
            await("two in flight", Duration.ofSeconds(5), () -> gauge("in_flight") == 2);
            HttpResponse<String> queued = call();
            assertEquals(503, queued.statusCode(), queued.body());
            assertEquals("bulkhead_timeout", json(queued).at("/error/code").asText());
            release.countDown();
            for (Future<HttpResponse<String>> f : holders) {
                assertEquals(200, f.get().statusCode());
            }
        } finally {
            release.countDown();
        }
    }
}
