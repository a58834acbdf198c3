package io.sluice.llm;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.ProviderGauges;
import io.sluice.support.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Network faults between Sluice and a provider, through a TCP chaos proxy: connections reset,
 * stalled, cut short, dripped a byte at a time. The client gets a 502/504 within the configured
 * deadlines (or, for a drip that keeps within them, the whole answer), never a hang or a 500.
 */
class UpstreamChaosTest {
    private static final FakeUpstream UPSTREAM = FakeUpstream.start();
    private static final TcpProxy PROXY = new TcpProxy("127.0.0.1", URI.create(UPSTREAM.baseUrl()).getPort());

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("spare", Map.of(
            "llm.providers.chaos.type", "openai-compatible",
            "llm.providers.chaos.base-url", "http://127.0.0.1:" + PROXY.port() + "/v1",
            "llm.models.chaos.route", "chaos:m",
            "llm.retry.max-attempts", "2",
            "llm.retry.initial-backoff", "10ms",
            "llm.retry.max-backoff", "20ms",
            "llm.retry.budget-min-retries", "1000",
            "llm.upstream.answer-first-byte-timeout", "700ms",
            "llm.upstream.first-byte-timeout", "700ms",
            "llm.upstream.idle-timeout", "1s"));

    @AfterEach
    void slotsBack() {
        ProviderGauges.awaitIdle(gateway.server(), "chaos");
        PROXY.fault(TcpProxy.Fault.NONE);
        UPSTREAM.reset();
    }

    @AfterAll
    static void stop() {
        PROXY.close();
        UPSTREAM.close();
    }

    private static HttpResponse<String> chat(boolean stream) {
        return gateway.server().postJson("/v1/chat/completions",
                "{\"model\":\"chaos\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static long timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void resetConnectionsAre502AtOnce() {
        PROXY.fault(TcpProxy.Fault.RESET);
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String>[] r = new HttpResponse[1];
            long ms = timed(() -> r[0] = chat(stream));
            assertEquals(502, r[0].statusCode(), r[0].body());
            assertTrue(List.of("upstream_error", "upstream_unreachable").contains(json(r[0]).at("/error/code").asText()), r[0].body());
            assertTrue(ms < 3000, "answered at once: " + ms + " ms");
        }
    }

    @Test
    void stalledConnectionsAre504AtTheFirstByteDeadline() {
        PROXY.fault(TcpProxy.Fault.STALL);
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String>[] r = new HttpResponse[1];
            long ms = timed(() -> r[0] = chat(stream));
            assertEquals(504, r[0].statusCode(), r[0].body());
            assertEquals("upstream_timeout", json(r[0]).at("/error/code").asText());
            assertTrue(ms >= 1300 && ms < 4000, "two attempts of 700 ms: " + ms + " ms");
        }
    }

    @Test
    void answersCutShortAre502() {
        PROXY.fault(TcpProxy.Fault.TRUNCATE).truncateAfter(150);   // past the status line, short of the body
        HttpResponse<String> r = chat(false);
        assertEquals(502, r.statusCode(), r.body());
        assertTrue(List.of("upstream_error", "upstream_invalid_response").contains(json(r).at("/error/code").asText()), r.body());
    }

    @Test
    void aDripWithinTheDeadlinesStillGivesTheWholeStream() {
        PROXY.fault(TcpProxy.Fault.DRIP).dripMillis(1);
        HttpResponse<String> r = chat(true);
        assertEquals(200, r.statusCode(), r.body());
        List<String> data = Sse.data(r.body());
        assertEquals("[DONE]", data.getLast(), r.body());
    }
}
