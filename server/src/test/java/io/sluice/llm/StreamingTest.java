package io.sluice.llm;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.ProviderGauges;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.FakeUpstream.delayed;
import static io.sluice.support.FakeUpstream.reply;
import static io.sluice.support.FakeUpstream.stallAfter;
import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream's life: pings while the first token is slow, an error event (not a hang) when the
 * upstream stalls, the upstream call cancelled when the client leaves, and every permit back.
 */
class StreamingTest {
    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension(new String[] {"up", "backup"}, Map.ofEntries(
                Map.entry("llm.models.solo.route", "up:m"),
                Map.entry("llm.models.pair.route", "up:m, backup:m"),
                Map.entry("llm.ping-interval", "100ms"),
                Map.entry("llm.upstream.first-byte-timeout", "1s"),
                Map.entry("llm.upstream.idle-timeout", "700ms"),
                Map.entry("llm.retry.max-attempts", "2"),
                Map.entry("llm.retry.initial-backoff", "10ms"),
                Map.entry("llm.retry.max-backoff", "20ms")));
    private static FakeUpstream upstream;
    private static FakeUpstream backup;
    private static TestServer server;

    @BeforeAll
    static void fields() {
        upstream = gateway.upstream("up");
        backup = gateway.upstream("backup");
        server = gateway.server();
    }

    @AfterEach
    void everyPermitIsBack() {
        await("admission and bulkhead permits returned", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0
                    && ProviderGauges.gauge(server, "up", "in_flight") == 0 && ProviderGauges.gauge(server, "backup", "in_flight") == 0;
        });
    }

    private static String body(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";
    }

    @Test
    void slowFirstTokenGetsPingCommentsThenTheAnswer() {
        upstream.then(delayed(Duration.ofMillis(450), reply(3, Duration.ZERO)));
        HttpResponse<String> res = server.postJson("/v1/chat/completions", body("solo"));
        assertEquals(200, res.statusCode());
        int ping = res.body().indexOf(": ping\n\n");
        assertTrue(ping >= 0 && ping < res.body().indexOf("data: "), "pings come before the first chunk:\n" + res.body());
        assertEquals("[DONE]", Sse.data(res.body()).getLast());
    }

    @Test
    void upstreamStallingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        upstream.then(stallAfter(2));
        long start = System.nanoTime();
        HttpResponse<String> res = server.postJson("/v1/chat/completions", body("pair"));
        long ms = (System.nanoTime() - start) / 1_000_000;

        List<String> data = Sse.data(res.body());
        assertEquals(4, data.size(), "role chunk, two words, then the error:\n" + res.body());
        JsonNode error = Json.MAPPER.readTree(data.getLast()).get("error");
        assertEquals("upstream_timeout", error.get("code").asText());
        assertEquals("server_error", error.get("type").asText());
        assertTrue(error.get("message").asText().contains("stalled"), error.toString());
        assertFalse(res.body().contains("[DONE]"), "an interrupted stream does not pretend to be complete");
        assertEquals(0, backup.requests().size(), "after the first chunk there is no fallback");
        assertTrue(ms < 10_000, "ended by the idle deadline (700 ms), not a hang: " + ms + " ms");
    }

    @Test
    void noFirstByteInTimeIsRetriedThenTheNextProviderServes() {
        upstream.byDefault(delayed(Duration.ofSeconds(30), reply(1, Duration.ZERO)));
        HttpResponse<String> res = server.postJson("/v1/chat/completions", body("pair"));
        assertEquals(200, res.statusCode());
        List<String> data = Sse.data(res.body());
        assertEquals("[DONE]", data.getLast());
        assertTrue(data.stream().noneMatch(d -> d.contains("\"error\"")), res.body());
        assertEquals(2, upstream.requests().size(), "timed out twice on the first provider");
        assertEquals(1, backup.requests().size());
        assertTrue(res.body().startsWith(": ping\n\n"), "the client was kept alive meanwhile");
    }

    @Test
    void clientLeavingMidStreamCancelsTheUpstreamCallAndIsRecorded() throws Exception {
        upstream.then(reply(400, Duration.ofMillis(25)));
        String requestId = "gone-" + UUID.randomUUID();
        long closedByClient;
        try (Sse.Connection c = new Sse.Connection(server.port(), "/v1/chat/completions",
                                                   body("solo").replace("\"stream\":true", "\"stream\":true,\"user\":\"zoe\""),
                                                   requestId)) {
            assertEquals(5, c.readData(5).size());
            closedByClient = System.nanoTime();
        }
        // 5 s leaves a loaded machine room and is still half of the 10 s the upstream's answer would take.
        await("upstream sees its connection closed", Duration.ofSeconds(5), () -> upstream.closedAt() != 0);
        assertTrue(upstream.sent().size() < 400, "the upstream did not finish its answer");
        assertTrue(upstream.closedAt() > closedByClient);

        await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(requestId).isEmpty());
        UsageRows.Row row = UsageRows.forRequest(requestId).getFirst();
        assertEquals("client_gone", row.status());
        assertEquals("zoe", row.user());
        assertTrue(row.completionTokens() > 0 && row.estimated(), "estimated from the text relayed: " + row);
    }
}
