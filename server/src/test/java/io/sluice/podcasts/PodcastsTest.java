package io.sluice.podcasts;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.audio.Wav;
import io.sluice.http.Json;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Podcasts end to end on a real server: the simulated chat model writes, a fake TTS upstream speaks. */
class PodcastsTest {
    static final String HOSTS = "[{\"name\":\"Ana\",\"voice\":\"alloy\"},{\"name\":\"Ben\",\"voice\":\"echo\"}]";
    static final String SCRIPT = """
            Ana: Welcome to Sluice radio.
            Ben: Today we talk about bulkheads.
            Ana: A bulkhead keeps one slow service from sinking the rest.
            Ben: Like the compartments of a ship.
            Ana: Exactly, and each one has its own limit.
            Ben: Thanks for listening.""";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static FakeTts tts;
    private static TestServer server;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        tts = new FakeTts(0);
        dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "podcasts-");
        Map<String, String> c = new HashMap<>(tts.config());
        c.put("podcasts.dir", dir.toString());
        c.put("podcasts.parallelism", "2");
        // Three podcasts at once want 6 calls; the bulkhead admits 3 and queues none: the instance's podcast slots must hold the rest.
        c.put("bulkheads.tts.max-concurrent", "3");
        c.put("bulkheads.tts.max-queue", "0");
        c.put("podcasts.poll-interval", "50ms");
        c.put("llm.providers.simulated.latency", "5ms");
        c.put("llm.providers.simulated.tokens-per-second", "100000");
        server = TestServer.start(c);
    }

    @AfterAll
    static void stop() {
        server.close();
        tts.close();
    }

    @BeforeEach
    void reset() {
        TestServer.await("no TTS call of an earlier test in flight", Duration.ofSeconds(20), () -> tts.inFlight() == 0);
        tts.reset();
        tts.delay(0);
    }

    @Test
    void aTopicBecomesOneWavWhoseDurationIsTheSumOfItsLines() {
        var submitted = server.postJson("/v1/podcasts", "{\"topic\":\"Why gateways need bulkheads\",\"hosts\":" + HOSTS
                                                        + ",\"lines\":6}");
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = json(submitted).get("id").asText();
        assertEquals("/v1/podcasts/" + id, submitted.headers().firstValue("Location").orElseThrow());

        JsonNode done = awaitFinished(server, id);
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        JsonNode script = done.get("script");
        assertEquals(6, script.size(), done.toString());
        assertEquals(6, done.at("/progress/lines_rendered").asInt());
        assertEquals(6, done.at("/progress/lines_total").asInt());
        long pcm = 0;
        for (int i = 0; i < script.size(); i++) {
            JsonNode line = script.get(i);
            assertEquals(i % 2 == 0 ? "Ana" : "Ben", line.get("speaker").asText(), line.toString());
            assertEquals(i % 2 == 0 ? "alloy" : "echo", line.get("voice").asText());
            assertTrue(line.get("rendered").asBoolean());
            assertEquals(1, tts.calls(line.get("text").asText()), "each line spoken once: " + line);
            pcm += FakeTts.pcmBytes(line.get("text").asText());
        }

        HttpResponse<byte[]> audio = bytes(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id + "/audio")).GET());
        assertEquals(200, audio.statusCode());
        assertEquals("audio/wav", audio.headers().firstValue("Content-Type").orElseThrow());
        Wav.Info wav = Wav.parse(audio.body());
        assertEquals(Wav.PCM_24K, wav.format());
        assertEquals(Wav.HEADER_BYTES, wav.dataOffset());
        assertEquals(pcm, wav.dataLength(), "the data chunk is the sum of the segments");
        assertEquals(Wav.HEADER_BYTES + pcm, audio.body().length);
        assertEquals(String.valueOf(audio.body().length), audio.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(pcm / 48_000.0, done.get("duration_seconds").asDouble(), 0.001);
        assertEquals(wav.seconds(), done.get("duration_seconds").asDouble(), 0.001);
        assertEquals(audio.body().length, done.get("audio_bytes").asLong());
        assertEquals(List.of(), segmentDirs(), "the segments are gone once joined");
    }

    @Test
    void theAudioServesRangesHeadAndRevalidation() {
        String id = finishedScriptPodcast();
        String url = "/v1/podcasts/" + id + "/audio";
        HttpResponse<byte[]> whole = bytes(HttpRequest.newBuilder(server.uri(url)).GET());
        byte[] all = whole.body();
        int n = all.length;
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());

        HttpResponse<byte[]> head = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("Range", "bytes=0-43"));
        assertEquals(206, head.statusCode());
        assertEquals("bytes 0-43/" + n, head.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(all, 0, 44), head.body());

        HttpResponse<byte[]> middle = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("Range", "bytes=1000-"));
        assertEquals(206, middle.statusCode());
        assertArrayEquals(Arrays.copyOfRange(all, 1000, n), middle.body());
        HttpResponse<byte[]> tail = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("Range", "bytes=-100"));
        assertEquals("bytes " + (n - 100) + "-" + (n - 1) + "/" + n, tail.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(all, n - 100, n), tail.body());

        HttpResponse<byte[]> outside = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("Range", "bytes=" + n + "-"));
        assertEquals(416, outside.statusCode());
        assertEquals("bytes */" + n, outside.headers().firstValue("Content-Range").orElseThrow());

        HttpResponse<byte[]> stale = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("Range", "bytes=0-9")
                                                   .header("If-Range", "\"another\""));
        assertEquals(200, stale.statusCode(), "If-Range with another validator: the whole file");
        assertEquals(n, stale.body().length);
        HttpResponse<byte[]> same = bytes(HttpRequest.newBuilder(server.uri(url)).GET().header("If-None-Match", etag));
        assertEquals(304, same.statusCode());

        HttpResponse<byte[]> headOnly = bytes(HttpRequest.newBuilder(server.uri(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, headOnly.statusCode());
        assertEquals(String.valueOf(n), headOnly.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(0, headOnly.body().length);
    }

    @Test
    void theProgressStreamDeliversIncreasingProgressThenTheFinalState() throws Exception {
        tts.delay(200);
        var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = json(submitted).get("id").asText();

        HttpResponse<Stream<String>> stream = CLIENT.send(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id + "/events"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String[]> events = new ArrayList<>();   // {event, data}
        String event = null;
        for (String line : (Iterable<String>) stream.body()::iterator) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                events.add(new String[] {event, line.substring(6)});
            }
        }
        String[] last = events.getLast();
        assertEquals("done", last[0], "the stream ends with the final state");
        JsonNode finalState = Json.MAPPER.readTree(last[1]);
        assertEquals("succeeded", finalState.get("status").asText());
        assertEquals(6, finalState.get("script").size());
        List<Integer> rendered = new ArrayList<>();
        for (String[] e : events.subList(0, events.size() - 1)) {
            assertEquals("progress", e[0]);
            JsonNode p = Json.MAPPER.readTree(e[1]);
            if (p.get("status").asText().equals("rendering")) {
                rendered.add(p.at("/progress/lines_rendered").asInt());
                assertEquals(6, p.at("/progress/lines_total").asInt());
            }
        }
        assertTrue(rendered.size() >= 2, "several progress events while rendering: " + rendered);
        for (int i = 1; i < rendered.size(); i++) {
            assertTrue(rendered.get(i) > rendered.get(i - 1), "progress only increases: " + rendered);
        }
        assertTrue(tts.maxInFlight() <= 2, "never more lines at once than podcasts.parallelism: " + tts.maxInFlight());
        TestServer.await("the streaming permit returned", Duration.ofSeconds(5),
                         () -> server.health().get("concurrent_streaming").asInt() == 0);
    }

    @Test
    void podcastsRenderingTogetherNeverOverfillTheTtsBulkhead() {
        tts.delay(100);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
            assertEquals(202, submitted.statusCode(), submitted.body());
            ids.add(json(submitted).get("id").asText());
        }
        for (String id : ids) {
            JsonNode done = awaitFinished(server, id);
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            JsonNode task = json(server.get("/v1/tasks/" + done.get("task_id").asText()));
            assertEquals(1, task.get("attempts").asInt(), "no line was refused by a full bulkhead: " + task);
        }
        assertEquals(18, tts.calls());
        assertTrue(tts.maxInFlight() <= 3, "TTS calls in flight never above bulkheads.tts.max-concurrent: " + tts.maxInFlight());
        assertTrue(tts.maxInFlight() >= 2, "lines did render in parallel: " + tts.maxInFlight());
    }

    @Test
    void deleteRemovesThePodcastAndItsFile() {
        String id = finishedScriptPodcast();
        assertTrue(Files.exists(dir.resolve(id + ".wav")));
        var deleted = server.send(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id)).DELETE());
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(json(deleted).get("deleted").asBoolean());
        assertFalse(Files.exists(dir.resolve(id + ".wav")));
        assertEquals(404, server.get("/v1/podcasts/" + id).statusCode());
        assertEquals(404, server.get("/v1/podcasts/" + id + "/audio").statusCode());
        assertEquals(404, server.send(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id)).DELETE()).statusCode());
    }

    @Test
    void deletingARunningPodcastStopsItAndLeavesNoFiles() {
        tts.delay(300);
        var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
        String id = json(submitted).get("id").asText();
        TestServer.await("a line rendered", Duration.ofSeconds(20),
                         () -> json(server.get("/v1/podcasts/" + id)).at("/progress/lines_rendered").asInt() >= 1);
        var deleted = server.send(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id)).DELETE());
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertTrue(json(deleted).get("cancelled").asBoolean());
        TestServer.await("the worker stopped and removed what it wrote", Duration.ofSeconds(20),
                         () -> !Files.exists(dir.resolve(id)) && !Files.exists(dir.resolve(id + ".wav")));
        int calls = tts.calls();
        assertTrue(calls < 6, "the worker stopped rendering: " + calls + " calls");
        assertEquals(404, server.get("/v1/podcasts/" + id).statusCode());
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() {
        String[][] cases = {
            {"{\"hosts\":" + HOSTS + "}", "missing_field", "topic or script"},
            {"{\"topic\":\"x\",\"script\":\"Ana: hi\",\"hosts\":" + HOSTS + "}", "invalid_request", "topic or script"},
            {"{\"topic\":\"x\"}", "missing_field", "hosts"},
            {"{\"topic\":\"x\",\"hosts\":[{\"name\":\"Ana\",\"voice\":\"alloy\"}]}", "invalid_request", "hosts"},
            {"{\"topic\":\"x\",\"hosts\":[{\"name\":\"Ana\",\"voice\":\"a\"},{\"name\":\"ana\",\"voice\":\"b\"}]}",
             "invalid_request", "different names"},
            {"{\"topic\":\"x\",\"hosts\":[{\"name\":\"Ana\"},{\"name\":\"Ben\",\"voice\":\"b\"}]}", "missing_field", "hosts[0].voice"},
            {"{\"topic\":\"x\",\"hosts\":[{\"name\":\"Ana\",\"voice\":\"a b\"},{\"name\":\"Ben\",\"voice\":\"b\"}]}",
             "invalid_request", "hosts[0].voice"},
            {"{\"topic\":\"x\",\"hosts\":" + HOSTS + ",\"lines\":1}", "invalid_request", "lines"},
            {"{\"topic\":\"x\",\"hosts\":" + HOSTS + ",\"lines\":100000}", "invalid_request", "lines"},
            {"{\"topic\":\"x\",\"hosts\":" + HOSTS + ",\"lines\":\"six\"}", "invalid_request", "lines"},
            {"{\"script\":\"Carl: nobody here\",\"hosts\":" + HOSTS + "}", "invalid_request", "script"},
            {"{\"topic\":7,\"hosts\":" + HOSTS + "}", "invalid_request", "topic"},
            {"[1,2]", "invalid_json", "object"},
        };
        for (String[] c : cases) {
            var res = server.postJson("/v1/podcasts", c[0]);
            assertEquals(400, res.statusCode(), c[0] + " -> " + res.body());
            JsonNode error = json(res).get("error");
            assertEquals(c[1], error.get("code").asText(), c[0] + " -> " + res.body());
            assertTrue(error.get("message").asText().contains(c[2]), c[0] + " -> " + res.body());
        }
        var unknownModel = server.postJson("/v1/podcasts", "{\"topic\":\"x\",\"model\":\"nope\",\"hosts\":" + HOSTS + "}");
        assertEquals(404, unknownModel.statusCode(), unknownModel.body());
        assertEquals(404, server.get("/v1/podcasts/not-a-uuid").statusCode());
        assertEquals(404, server.get("/v1/podcasts/00000000-0000-0000-0000-000000000000").statusCode());
        assertEquals(0, tts.calls());
    }

    @Test
    void aLineTheUpstreamRefusesFailsThePodcastAtOnceWithTheError() {
        tts.refuse("Like the compartments of a ship.");
        var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
        String id = json(submitted).get("id").asText();
        JsonNode done = awaitFinished(server, id);
        assertEquals("failed", done.get("status").asText(), done.toString());
        assertTrue(done.at("/error/message").asText().contains("refused"), done.toString());
        assertTrue(done.at("/progress/lines_rendered").asInt() < 6, done.toString());
        JsonNode task = json(server.get("/v1/tasks/" + done.get("task_id").asText()));
        assertEquals(1, task.get("attempts").asInt(), "a 4xx is not retried: " + task);
        assertEquals(409, server.get("/v1/podcasts/" + id + "/audio").statusCode());
        TestServer.await("the failed podcast's segments are removed", Duration.ofSeconds(10),
                         () -> !Files.exists(dir.resolve(id)));
    }

    @Test
    void audioOfAnUnfinishedPodcastIsAConflict() {
        tts.delay(2000);
        var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
        String id = json(submitted).get("id").asText();
        var early = server.get("/v1/podcasts/" + id + "/audio");
        assertEquals(409, early.statusCode(), early.body());
        assertEquals("podcast_not_ready", json(early).at("/error/code").asText());
        server.send(HttpRequest.newBuilder(server.uri("/v1/podcasts/" + id)).DELETE());
    }

    private String finishedScriptPodcast() {
        var submitted = server.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = json(submitted).get("id").asText();
        assertEquals("succeeded", awaitFinished(server, id).get("status").asText());
        return id;
    }

    static JsonNode awaitFinished(TestServer server, String id) {
        JsonNode[] last = new JsonNode[1];
        TestServer.await("podcast " + id + " finished", Duration.ofSeconds(60), () -> {
            last[0] = json(server.get("/v1/podcasts/" + id));
            String s = last[0].path("status").asText();
            return s.equals("succeeded") || s.equals("failed");
        });
        return last[0];
    }

    private static List<Path> segmentDirs() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).toList();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<byte[]> bytes(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
