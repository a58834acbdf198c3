package io.sluice.llm;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.FakeUpstream.fail;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Before the first byte reaches the client, a failing upstream (5xx, 429, refused connection) is
 * retried with backoff, then the model's next provider serves; a request every provider would
 * refuse is not retried; the retry budget stops retries when spent.
 */
class FallbackTest {
    private static final String[] FAKES = {"primary", "backup"};

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension(FAKES, config("1000"));
    private static FakeUpstream primary;
    private static FakeUpstream backup;
    private static TestServer server;

    /** Fakes as providers primary and backup (see {@link #FAKES}); provider dead refuses connections. */
    static Map<String, String> config(String budgetMinRetries) {
        return Map.ofEntries(
                Map.entry("llm.providers.dead.type", "openai-compatible"),
                Map.entry("llm.providers.dead.base-url", FakeUpstream.refusingUrl()),
                Map.entry("llm.models.main.route", "primary:a-model, backup:b-model"),
                Map.entry("llm.models.dead-first.route", "dead:x-model, backup:b-model"),
                Map.entry("llm.retry.max-attempts", "2"),
                Map.entry("llm.retry.initial-backoff", "20ms"),
                Map.entry("llm.retry.max-backoff", "50ms"),
                Map.entry("llm.retry.budget-min-retries", budgetMinRetries),
                Map.entry("llm.retry.budget-percent", "0"),
                // The tests fail "primary" again and again on one server: its breaker would open (RoutingTest covers that).
                Map.entry("llm.breaker.enabled", "false"));
    }

    @BeforeAll
    static void fields() {
        primary = gateway.upstream("primary");
        backup = gateway.upstream("backup");
        server = gateway.server();
    }

    private static HttpResponse<String> chat(TestServer server, String model, boolean stream) {
        return server.postJson("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}");
    }

    @Test
    void serverErrorIsRetriedThenTheNextProviderServes() {
        primary.byDefault(fail(500));
        HttpResponse<String> res = chat(server, "main", false);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("backup", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals(2, primary.requests().size(), "max-attempts calls to the failing provider");
        assertEquals("b-model", backup.requests().getFirst().get("model").asText());
    }

    @Test
    void streamedRequestFallsBackTooAndTheClientSeesOnlyTheGoodAnswer() {
        primary.byDefault(fail(503));
        HttpResponse<String> res = chat(server, "main", true);
        assertEquals(200, res.statusCode());
        assertEquals("backup", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        var data = Sse.data(res.body());
        assertEquals("[DONE]", data.getLast());
        assertTrue(data.stream().noneMatch(d -> d.contains("\"error\"")), res.body());
        assertEquals(2, primary.requests().size());
    }

    @Test
    void rateLimitIsRetriedOnTheSameProvider() {
        primary.then(fail(429));
        HttpResponse<String> res = chat(server, "main", false);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("primary", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals(2, primary.requests().size(), "one 429, one success");
        assertEquals(0, backup.requests().size());
    }

    @Test
    void rejectedCredentialsAreNotRetriedButFallBack() {
        primary.then(fail(401));
        HttpResponse<String> res = chat(server, "main", false);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("backup", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals(1, primary.requests().size(), "a retry would be refused the same way");
    }

    @Test
    void refusedConnectionIsRetriedThenFallsBack() {
        HttpResponse<String> res = chat(server, "dead-first", true);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals("backup", res.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals("[DONE]", Sse.data(res.body()).getLast());
        String metrics = server.get("/observe/metrics").body();
        assertTrue(metrics.matches("(?s).*sluice_llm_upstream_calls_total\\{[^}]*outcome=\"upstream_unreachable\""
                                   + "[^}]*provider=\"dead\"[^}]*} 2\\.0.*"), "both attempts refused:\n" + metrics);
    }

    @Test
    void everyProviderFailingGivesA502InOpenAisShape() {
        primary.byDefault(fail(500));
        backup.byDefault(fail(502));
        HttpResponse<String> res = chat(server, "main", false);
        assertEquals(502, res.statusCode(), res.body());
        JsonNode error = json(res).get("error");
        assertEquals("upstream_error", error.get("code").asText());
        assertEquals("server_error", error.get("type").asText());
        assertEquals(2, primary.requests().size());
        assertEquals(2, backup.requests().size());
    }

    @Test
    void requestTheUpstreamRefusesIsNeitherRetriedNorSentElsewhere() {
        primary.then(fail(400));
        HttpResponse<String> res = chat(server, "main", false);
        assertEquals(400, res.statusCode(), res.body());
        assertEquals("upstream_rejected_request", json(res).at("/error/code").asText());
        assertEquals(1, primary.requests().size());
        assertEquals(0, backup.requests().size());
    }

    @Test
    void spentRetryBudgetFallsBackWithoutRetrying() {
        try (TestGateway noBudget = TestGateway.start(FAKES, config("0"))) {
            noBudget.upstream("primary").byDefault(fail(500));
            HttpResponse<String> res = chat(noBudget.server(), "main", false);
            assertEquals(200, res.statusCode(), res.body());
            assertEquals(1, noBudget.upstream("primary").requests().size(), "no retry: the budget (0 % of requests, no floor) is spent");
            assertEquals(1, noBudget.upstream("backup").requests().size());
        }
    }
}
