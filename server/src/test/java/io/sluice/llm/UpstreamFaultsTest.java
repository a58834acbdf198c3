package io.sluice.llm;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.BadAnswers;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.ProviderGauges;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstreams that answer 200 with something that is not an answer: an empty body, HTML, malformed or
 * misshapen JSON, a stream cut short of [DONE], garbage in a stream, a line without end. None of it
 * reaches the client as a success: non-streamed calls are retried or sent to the next provider, else
 * 502 upstream_invalid_response; a started stream ends with an error event and no [DONE].
 */
class UpstreamFaultsTest {
    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension(new String[] {"bad", "good"}, Map.of(
            "llm.models.bad.route", "bad:m",
            "llm.models.fallback.route", "bad:m,good:m",
            "llm.retry.max-attempts", "2",
            "llm.retry.initial-backoff", "10ms",
            "llm.retry.max-backoff", "20ms",
            "llm.retry.budget-min-retries", "1000",
            "llm.upstream.answer-first-byte-timeout", "700ms",
            "llm.upstream.max-sse-line", "8KB"));

    @AfterEach
    void slotsBack() {
        ProviderGauges.awaitIdle(gateway.server(), "bad", "good");
    }

    private static HttpResponse<String> chat(String model, boolean stream) {
        return gateway.server().postJson("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static void assertInvalid(HttpResponse<String> r, String what) {
        assertEquals(502, r.statusCode(), what + ": " + r.body());
        assertEquals("upstream_invalid_response", json(r).at("/error/code").asText(), what);
    }

    @Test
    void answersThatAreNotChatCompletionsAre502AfterARetry() {
        Map<String, FakeUpstream.Behavior> bodies = Map.of(
                "empty 200", BadAnswers.ok200("application/json", ""),
                "HTML", BadAnswers.ok200("text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
                "malformed JSON", BadAnswers.ok200("application/json", "{\"choices\":[{\"message\":"),
                "wrong shape", BadAnswers.ok200("application/json", "{\"result\":\"hello\"}"),
                "error object", BadAnswers.ok200("application/json", "{\"error\":{\"message\":\"overloaded\"}}"));
        bodies.forEach((what, behavior) -> {
            gateway.upstream("bad").reset();
            gateway.upstream("bad").byDefault(behavior);
            long start = System.nanoTime();
            assertInvalid(chat("bad", false), what);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(), what + ": answered at once");
            assertEquals(2, gateway.upstream("bad").calls(), what + ": retried once (max-attempts 2)");
        });
    }

    @Test
    void anInvalidAnswerIsRetriedThenServed() {
        gateway.upstream("bad").then(BadAnswers.ok200("text/html", "<html>maintenance</html>"));
        HttpResponse<String> r = chat("bad", false);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("chat.completion", json(r).path("object").asText());
        assertEquals(2, gateway.upstream("bad").calls());
    }

    @Test
    void anInvalidAnswerFallsBackToTheNextProvider() {
        gateway.upstream("bad").byDefault(BadAnswers.ok200("application/json", ""));
        HttpResponse<String> r = chat("fallback", false);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("good", r.headers().firstValue("X-Sluice-Provider").orElse(""));
        assertEquals(1, gateway.upstream("good").calls());
    }

    @Test
    void aTruncatedAnswerIs502() {
        gateway.upstream("bad").byDefault(BadAnswers.truncated());
        HttpResponse<String> r = chat("bad", false);
        assertEquals(502, r.statusCode(), r.body());
        assertTrue(List.of("upstream_invalid_response", "upstream_error").contains(json(r).at("/error/code").asText()), r.body());
    }

    @Test
    void anAnswerThatDoesNotStartInTimeIs504() {
        gateway.upstream("bad").byDefault(FakeUpstream.delayed(Duration.ofSeconds(4), FakeUpstream.reply(3, Duration.ZERO)));
        long start = System.nanoTime();
        HttpResponse<String> r = chat("bad", false);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("upstream_timeout", json(r).at("/error/code").asText());
        assertTrue(ms >= 1300 && ms < 3500, "two attempts of 700 ms each: " + ms + " ms");
    }

    @Test
    void aStreamCutShortOfDoneEndsWithAnErrorEventAndNoDone() {
        gateway.upstream("bad").byDefault(BadAnswers.streamThen(2, ""));
        List<String> data = Sse.data(chat("bad", true).body());
        assertEquals(3, data.size(), "two chunks, then the error: " + data);
        assertEquals("upstream_invalid_response", error(data.getLast()).path("code").asText(), data.getLast());
        assertFalse(data.contains("[DONE]"));
    }

    @Test
    void garbageInAStreamEndsItWithAnErrorEvent() {
        gateway.upstream("bad").byDefault(BadAnswers.streamThen(1, "data: <html>oops</html>\n\ndata: [DONE]\n\n"));
        List<String> data = Sse.data(chat("bad", true).body());
        assertEquals(2, data.size(), "one chunk, then the error: " + data);
        assertEquals("upstream_invalid_response", error(data.getLast()).path("code").asText(), data.getLast());
        assertFalse(data.contains("[DONE]"));
    }

    @Test
    void aStreamWithNothingInItOrALineWithoutEndIs502() {
        gateway.upstream("bad").byDefault(BadAnswers.streamThen(0, ""));
        assertInvalid(chat("bad", true), "an empty stream");
        gateway.upstream("bad").reset();
        gateway.upstream("bad").byDefault(BadAnswers.streamThen(0, "data: {\"choices\":[],\"x\":\"" + "x".repeat(200_000)));
        assertInvalid(chat("bad", true), "a line over max-sse-line");
    }

    private static JsonNode error(String event) {
        try {
            return Json.MAPPER.readTree(event).path("error");
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + event, e);
        }
    }
}
