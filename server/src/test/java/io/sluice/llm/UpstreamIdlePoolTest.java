package io.sluice.llm;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After a burst, the upstream pool keeps at most llm.upstream.max-idle-connections-per-provider
 * connections open for reuse and closes the rest: Helidon watches every idle pooled connection with a
 * read that wakes every 100 ms, so thousands of them kept after a burst burned a core for minutes.
 */
@EnabledOnOs(OS.LINUX)   // counts the upstream's sockets in /proc/net/tcp
class UpstreamIdlePoolTest {
    private static final int BURST = 8;

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.of(
            "llm.models.fake-model.route", "fake:upstream-model",
            "llm.upstream.max-idle-connections-per-provider", "2",
            "bulkheads.llm.max-concurrent", "20"));

    @Test
    void aBurstLeavesOnlyTheConfiguredIdleConnectionsOpenAndTheyAreReused() throws Exception {
        FakeUpstream fake = gateway.upstream();
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < BURST; i++) {
            fake.then(FakeUpstream.holdUntil(release));
        }
        int port = URI.create(fake.baseUrl()).getPort();
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < BURST; i++) {
                boolean stream = i % 2 == 0;
                calls.add(pool.submit(() -> ChatCompletionsTest.post(gateway.server(), "/v1/chat/completions",
                        "{\"model\":\"fake-model\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "burst-" + System.nanoTime())));
            }
            await("all " + BURST + " calls held upstream at once", Duration.ofSeconds(10), () -> fake.calls() == BURST);
            assertEquals(BURST, established(port).size(), "one upstream connection per call in flight");
            release.countDown();
            for (Future<HttpResponse<String>> call : calls) {
                assertEquals(200, call.get().statusCode(), call.get().body());
            }
        }
        await("the pool closed all but 2 idle connections", Duration.ofSeconds(5), () -> established(port).size() == 2);
        Set<String> kept = established(port);

        for (int i = 0; i < 3; i++) {
            assertEquals(200, ChatCompletionsTest.post(gateway.server(), "/v1/chat/completions",
                    "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"again\"}]}", "again-" + i).statusCode());
        }
        assertEquals(kept, established(port), "the kept connections are reused, not replaced");
    }

    /** The peers (Sluice's ends) of the established TCP connections whose local port is {@code port}. */
    private static Set<String> established(int port) {
        String local = String.format(Locale.ROOT, ":%04X", port);
        Set<String> peers = new HashSet<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;   // tcp6 may be absent
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(local) && f[3].equals("01")) {
                    peers.add(f[2]);
                }
            }
        }
        return peers;
    }
}
