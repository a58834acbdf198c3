package io.sluice.loadtest.upstream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the simulator honest: its answers parse as OpenAI's do, streamed and not. Takes about a second. */
class UpstreamSimulatorTest {
    private static final String CHAT = "{\"model\":\"m-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]";

    private static UpstreamSimulator sim;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        sim = UpstreamSimulator.start(SimOptions.parse(
                new String[] {"--port=0", "--latency-ms=0", "--tokens=7", "--tokens-per-second=200", "--stall-ms=300"}, Map.of()));
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void nonStreamedAnswerIsAChatCompletionWithUsage() throws Exception {
        HttpResponse<String> res = post(CHAT + "}", Map.of());
        assertEquals(200, res.statusCode());
        assertEquals("application/json", res.headers().firstValue("Content-Type").orElse(""));
        Map<?, ?> body = (Map<?, ?>) MiniJson.parse(res.body());
        assertEquals("chat.completion", body.get("object"));
        assertEquals("m-1", body.get("model"));
        Map<?, ?> choice = (Map<?, ?>) ((List<?>) body.get("choices")).getFirst();
        Map<?, ?> message = (Map<?, ?>) choice.get("message");
        assertEquals("assistant", message.get("role"));
        assertEquals(7, ((String) message.get("content")).split(" ").length);
        assertEquals("stop", choice.get("finish_reason"));
        Map<?, ?> usage = (Map<?, ?>) body.get("usage");
        assertEquals(7L, usage.get("completion_tokens"));
        assertEquals((Long) usage.get("prompt_tokens") + 7L, usage.get("total_tokens"));
    }

    @Test
    void streamedAnswerIsServerSentChunksEndingWithDone() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"))
                .build();
        HttpResponse<java.io.InputStream> res = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, res.statusCode());
        assertEquals("text/event-stream", res.headers().firstValue("Content-Type").orElse(""));
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else {
                    assertEquals("", line, "only data lines and blank separators");
                }
            }
        }
        assertEquals("[DONE]", data.getLast());
        StringBuilder content = new StringBuilder();
        String finish = null;
        Map<?, ?> usage = null;
        for (int k = 0; k < data.size() - 1; k++) {
            Map<?, ?> chunk = (Map<?, ?>) MiniJson.parse(data.get(k));
            assertEquals("chat.completion.chunk", chunk.get("object"));
            List<?> choices = (List<?>) chunk.get("choices");
            if (choices.isEmpty()) {
                usage = (Map<?, ?>) chunk.get("usage");
                continue;
            }
            Map<?, ?> choice = (Map<?, ?>) choices.getFirst();
            Map<?, ?> delta = (Map<?, ?>) choice.get("delta");
            if (k == 0) {
                assertEquals("assistant", delta.get("role"), "the first chunk carries the role");
            }
            if (delta.get("content") instanceof String s) {
                content.append(s);
            }
            if (choice.get("finish_reason") != null) {
                finish = (String) choice.get("finish_reason");
            }
        }
        assertEquals(7, content.toString().split(" ").length);
        assertEquals("stop", finish);
        assertNotNull(usage, "include_usage adds a usage chunk");
        assertEquals(7L, usage.get("completion_tokens"));
    }

    @Test
    void maxTokensTruncatesWithFinishReasonLength() throws Exception {
        Map<?, ?> body = (Map<?, ?>) MiniJson.parse(post(CHAT + ",\"max_tokens\":3}", Map.of()).body());
        Map<?, ?> choice = (Map<?, ?>) ((List<?>) body.get("choices")).getFirst();
        assertEquals("length", choice.get("finish_reason"));
        assertEquals(3L, ((Map<?, ?>) body.get("usage")).get("completion_tokens"));
    }

    @Test
    void errorsAndBadRequestsUseOpenAiErrorShape() throws Exception {
        HttpResponse<String> limited = post(CHAT + "}", Map.of("X-Sim-Error", "429"));
        assertEquals(429, limited.statusCode());
        assertEquals("1", limited.headers().firstValue("Retry-After").orElse(""));
        Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) MiniJson.parse(limited.body())).get("error");
        assertEquals("rate_limit_exceeded", error.get("code"));

        assertEquals(500, post(CHAT + "}", Map.of("X-Sim-Error", "500")).statusCode());
        assertEquals(400, post("{\"messages\":", Map.of()).statusCode());
        assertEquals(400, post("{\"messages\":[]}", Map.of()).statusCode());
        assertEquals(400, post(CHAT + "}", Map.of("X-Sim-Latency-Ms", "soon")).statusCode());
    }

    @Test
    void stalledAnswersGoSilentHalfWayAndAreCut() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("X-Sim-Stall", "true")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT + ",\"stream\":true}")).build();
        String body = client.send(req, HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(1 + 7 / 2, body.split("data: ").length - 1, "the role chunk and half the tokens");
        assertFalse(body.contains("[DONE]"));
        try {
            post(CHAT + "}", Map.of("X-Sim-Stall", "true"));
            throw new AssertionError("a stalled non-streamed answer must be cut short of its Content-Length");
        } catch (java.io.IOException expected) {
            // the connection closed before the announced body arrived
        }
    }

    @Test
    void latencyHeaderDelaysTheAnswer() throws Exception {
        long start = System.nanoTime();
        assertEquals(200, post(CHAT + "}", Map.of("X-Sim-Latency-Ms", "300")).statusCode());
        assertTrue(System.nanoTime() - start >= 300_000_000L);
    }

    @Test
    void modelsAreListed() throws Exception {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<?, ?> body = (Map<?, ?>) MiniJson.parse(res.body());
        assertEquals("list", body.get("object"));
        assertEquals("sim-1", ((Map<?, ?>) ((List<?>) body.get("data")).getFirst()).get("id"));
    }

    @Test
    void optionsRejectBadValues() {
        for (String[] bad : List.of(new String[] {"--latency-ms=30-2"}, new String[] {"--error-rate=2"},
                new String[] {"--nope=1"}, new String[] {"--port"})) {
            try {
                SimOptions.parse(bad, Map.of());
                throw new AssertionError("accepted " + String.join(" ", bad));
            } catch (IllegalArgumentException expected) {
                assertFalse(expected.getMessage().isBlank());
            }
        }
        SimOptions o = SimOptions.parse(new String[] {"--latency-ms", "2000-30000"}, Map.of("SIM_PORT", "9191"));
        assertEquals(9191, o.port());
        assertEquals(new SimOptions.Range(2000, 30000), o.latencyMs());
        assertNull(MiniJson.parse("null"));
    }

    private static HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
