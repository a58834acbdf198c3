package io.sluice.audio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /v1/audio/speech and /v1/audio/transcriptions against the real server: requests shaped as
 * OpenAI's SDKs send them, the simulated providers round-tripping, the upload checks, the TTS
 * bulkhead under 20 concurrent renders, the per-call timeout against a stalled upstream.
 */
class AudioTest {
    private static final String TEXT = "Hello from Sluice, the gateway that keeps every call bounded.";
    private static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    private static FakeAudioUpstream stalled;
    private static FakeAudioUpstream counted;
    private static FakeAudioUpstream broken;
    private static FakeAudioUpstream trickle;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        stalled = new FakeAudioUpstream(FakeAudioUpstream.Mode.STALL, 0);
        counted = new FakeAudioUpstream(FakeAudioUpstream.Mode.SERVE, 300);
        broken = new FakeAudioUpstream(FakeAudioUpstream.Mode.FAIL, 0);
        trickle = new FakeAudioUpstream(FakeAudioUpstream.Mode.STALL_MID_STREAM, 0);
        server = TestServer.start(Map.ofEntries(
                Map.entry("audio.max-upload-size", "256KB"),
                Map.entry("audio.tts-timeout", "2s"),
                Map.entry("audio.asr-timeout", "2s"),
                Map.entry("audio.providers.stalled.type", "openai-compatible"),
                Map.entry("audio.providers.stalled.base-url", stalled.baseUrl()),
                Map.entry("audio.providers.counted.type", "openai-compatible"),
                Map.entry("audio.providers.counted.base-url", counted.baseUrl()),
                Map.entry("audio.providers.counted.api-key", "sk-counted"),
                Map.entry("audio.providers.broken.type", "openai-compatible"),
                Map.entry("audio.providers.broken.base-url", broken.baseUrl()),
                Map.entry("audio.providers.trickle.type", "openai-compatible"),
                Map.entry("audio.providers.trickle.base-url", trickle.baseUrl()),
                Map.entry("audio.models.trickle-tts.kind", "speech"),
                Map.entry("audio.models.trickle-tts.route", "trickle:tts-1"),
                Map.entry("audio.models.stalled-tts.kind", "speech"),
                Map.entry("audio.models.stalled-tts.route", "stalled:tts-1"),
                Map.entry("audio.models.stalled-asr.kind", "transcription"),
                Map.entry("audio.models.stalled-asr.route", "stalled:whisper-1"),
                Map.entry("audio.models.counted-tts.kind", "speech"),
                Map.entry("audio.models.counted-tts.route", "counted:tts-1"),
                Map.entry("audio.models.fallback-tts.kind", "speech"),
                Map.entry("audio.models.fallback-tts.route", "broken:tts-1, simulated:sluice-tts-1")));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        for (FakeAudioUpstream f : new FakeAudioUpstream[] {stalled, counted, broken, trickle}) {
            if (f != null) {
                f.close();
            }
        }
    }

    @Test
    void speechInTheOpenAiSdkShapeIsAValidWavStreamedChunked() throws Exception {
        // What openai-python's client.audio.speech.create(model=, voice=, input=, response_format="wav") sends.
        HttpResponse<byte[]> r = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"alloy\","
                                        + "\"response_format\":\"wav\",\"speed\":1.0}");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(""), "streamed, not buffered");
        // Read by the JDK's own WAV reader, not only by ours.
        try (AudioInputStream in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(r.body()))) {
            AudioFormat f = in.getFormat();
            assertEquals(24_000f, f.getSampleRate());
            assertEquals(16, f.getSampleSizeInBits());
            assertEquals(1, f.getChannels());
            assertFalse(f.isBigEndian());
            double seconds = in.getFrameLength() / f.getFrameRate();
            assertEquals(TEXT.length() / 15.0, seconds, 0.01, "the length follows the text (15 characters a second)");
        }
        Wav.Info info = Wav.parse(r.body());
        assertEquals(r.body().length - Wav.HEADER_BYTES, info.dataLength(), "the header's size is the body's");
        assertTrue(peak(Wav.pcm(r.body())) > 1000, "not silence");

        HttpResponse<byte[]> again = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"alloy\",\"response_format\":\"wav\"}");
        assertArrayEquals(r.body(), again.body(), "deterministic");
        HttpResponse<byte[]> faster = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"nova\",\"speed\":2}");
        assertEquals(200, faster.statusCode());
        assertEquals(info.seconds() / 2, Wav.seconds(faster.body()), 0.01, "speed 2 halves it; wav is the simulator's default");

        HttpResponse<byte[]> pcm = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"alloy\",\"response_format\":\"pcm\"}");
        assertEquals(200, pcm.statusCode());
        assertEquals("audio/pcm", pcm.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(Wav.pcm(r.body()), pcm.body(), "pcm is the same samples without a header");
    }

    @Test
    void transcriptionOfTheSpeechRoundTripsWithTheSimulatedProviders() throws Exception {
        byte[] wav = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"echo\",\"response_format\":\"wav\"}").body();
        HttpResponse<String> verbose = transcribe(wav, "audio/wav", "sluice-asr", "verbose_json");
        assertEquals(200, verbose.statusCode(), verbose.body());
        JsonNode v = TestServer.json(verbose);
        assertEquals(TEXT.length(), v.path("text").asText().length(), "as many characters as were spoken: " + v);
        assertEquals(Wav.seconds(wav), v.path("duration").asDouble(), 1e-6);
        assertEquals("transcribe", v.path("task").asText());
        assertEquals(v.path("text").asText(), v.at("/segments/0/text").asText());

        HttpResponse<String> json = transcribe(wav, "application/octet-stream", "sluice-asr", null);
        assertEquals(200, json.statusCode(), json.body());
        assertEquals(v.path("text").asText(), TestServer.json(json).path("text").asText(), "deterministic; json by default");
        HttpResponse<String> text = transcribe(wav, "audio/wav", "sluice-asr", "text");
        assertEquals(v.path("text").asText() + "\n", text.body());
        assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    @Test
    void badRequestsAreRefusedWithTheirCodes() throws Exception {
        assertError(speech("{\"input\":\"\",\"model\":\"sluice-tts\",\"voice\":\"alloy\"}"), 400, "invalid_parameter");
        assertError(speech("{\"model\":\"sluice-tts\",\"voice\":\"alloy\"}"), 400, "missing_field");
        assertError(speech("{\"input\":\"" + "a".repeat(4097) + "\",\"model\":\"sluice-tts\",\"voice\":\"alloy\"}"), 400, "content_too_large");
        assertError(speech("{\"input\":\"hi\",\"model\":\"sluice-tts\",\"voice\":\"alloy\",\"speed\":9}"), 400, "invalid_parameter");
        assertError(speech("{\"input\":\"hi\",\"model\":\"nope\",\"voice\":\"alloy\"}"), 404, "model_not_found");
        assertError(speech("{\"input\":\"hi\",\"model\":\"sluice-asr\",\"voice\":\"alloy\"}"), 404, "model_not_found");
        HttpResponse<byte[]> mp3 = speech("{\"input\":\"hi\",\"model\":\"sluice-tts\",\"voice\":\"alloy\",\"response_format\":\"mp3\"}");
        assertError(mp3, 400, "invalid_parameter");
        assertTrue(new String(mp3.body(), StandardCharsets.UTF_8).contains("supported: wav, pcm"), "names what is supported");

        byte[] wav = speech("{\"input\":\"" + TEXT + "\",\"model\":\"sluice-tts\",\"voice\":\"alloy\"}").body();
        byte[] big = Wav.wrap(new byte[300_000]);   // over audio.max-upload-size (256KB)
        assertError(transcribe(big, "audio/wav", "sluice-asr", null), 413, "payload_too_large");
        assertError(server.send(HttpRequest.newBuilder(server.uri("/v1/audio/transcriptions"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sluice-asr\"}"))), 415, "unsupported_media_type");
        assertError(transcribe(wav, "text/plain", "sluice-asr", null), 415, "unsupported_media_type");
        assertError(transcribe("not a wav file at all".getBytes(StandardCharsets.UTF_8), "audio/wav", "sluice-asr", null),
                    400, "invalid_audio");
        assertError(transcribe(new byte[0], "audio/wav", "sluice-asr", null), 400, "invalid_audio");
        assertError(transcribe(wav, "audio/wav", "sluice-asr", "srt"), 400, "invalid_parameter");
        assertError(transcribe(wav, "audio/wav", "sluice-tts", null), 404, "model_not_found");
        assertError(send(multipart(List.<String[]>of(new String[] {"model", null, null, "sluice-asr"}))), 400, "missing_field");
        assertError(server.send(HttpRequest.newBuilder(server.uri("/v1/audio/transcriptions"))
                                        .header("Content-Type", "multipart/form-data; boundary=xyz")
                                        .POST(HttpRequest.BodyPublishers.ofString("--xyz\r\ngarbage"))), 400, "invalid_request");
    }

    @Test
    void theTtsBulkheadIsNeverExceededWhileTwentyRequestsRender() throws Exception {
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxSampled = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                maxSampled.accumulateAndGet((int) ttsGauge("in_flight"), Math::max);
                samples.incrementAndGet();
                try {
                    Thread.sleep(5);   // a scrape every few ms is enough; a busy loop would starve the box
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                String body = "{\"input\":\"line " + i + "\",\"model\":\"counted-tts\",\"voice\":\"alloy\",\"response_format\":\"wav\"}";
                answers.add(clients.submit(() -> speech(body)));
            }
            for (Future<HttpResponse<byte[]>> a : answers) {
                HttpResponse<byte[]> r = a.get();
                assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
                assertEquals(0.1, Wav.seconds(r.body()), 1e-9, "the upstream's WAV relayed whole");
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertEquals(20, counted.calls());
        assertEquals(5, counted.maxInFlight(), "the upstream saw the bulkhead's limit (bulkheads.tts.max-concurrent) and never more");
        assertTrue(samples.get() > 0);
        assertTrue(maxSampled.get() <= 5, "in-flight gauge sampled above the limit: " + maxSampled.get());
        assertTrue(maxSampled.get() > 0, "the sampler saw renders in flight");
        TestServer.await("tts slots returned", Duration.ofSeconds(5), () -> ttsGauge("in_flight") == 0 && ttsGauge("queued") == 0);
    }

    @Test
    void thePerCallTimeoutEndsAStalledUpstreamCall() throws Exception {
        HttpResponse<byte[]> r = speech("{\"input\":\"hello\",\"model\":\"stalled-tts\",\"voice\":\"alloy\",\"response_format\":\"wav\"}");
        assertError(r, 504, "upstream_timeout");
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("audio.tts-timeout"));
        byte[] wav = Wav.wrap(new byte[4800]);
        HttpResponse<String> t = transcribe(wav, "audio/wav", "stalled-asr", null);
        assertError(t, 504, "upstream_timeout");
        assertTrue(t.body().contains("audio.asr-timeout"), t.body());
        TestServer.await("tts slot returned after the timeout", Duration.ofSeconds(5), () -> ttsGauge("in_flight") == 0);
        assertTrue(server.get("/observe/metrics").body().lines().anyMatch(l -> l.startsWith("sluice_audio_upstream_calls_total{")
                && l.contains("outcome=\"upstream_timeout\"") && l.contains("provider=\"stalled\"")), "counted by outcome");
    }

    @Test
    void aStreamCutByThePerCallTimeoutEndsInAnErrorNotAShortFile() {
        // The status and part of the audio are out when the upstream stalls: the client must see a broken
        // response (no final chunk), never a clean end that would pass a truncated file as complete.
        HttpRequest request = HttpRequest.newBuilder(server.uri("/v1/audio/speech"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"hello\",\"model\":\"trickle-tts\",\"voice\":\"alloy\"}")).build();
        assertThrows(java.io.IOException.class, () -> CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray()),
                     "the connection is cut, not the response ended cleanly");
        TestServer.await("tts slot returned after the cut", Duration.ofSeconds(5), () -> ttsGauge("in_flight") == 0);
    }

    @Test
    void aFailingProviderFallsBackToTheNextOfTheRoute() {
        HttpResponse<byte[]> r = speech("{\"input\":\"" + TEXT + "\",\"model\":\"fallback-tts\",\"voice\":\"alloy\",\"response_format\":\"wav\"}");
        assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(TEXT.length() / 15.0, Wav.seconds(r.body()), 0.01, "the simulator's audio");
        assertTrue(broken.calls() > 0, "the first provider was tried");
    }

    // --- helpers

    private static double ttsGauge(String name) {
        for (String line : server.get("/observe/metrics").body().split("\n")) {
            if (line.startsWith("sluice_bulkhead_" + name + "{") && line.contains("service=\"tts\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sluice_bulkhead_" + name + "{service=\"tts\"}");
    }

    private static int peak(byte[] pcm) {
        int peak = 0;
        for (int i = 0; i + 1 < pcm.length; i += 2) {
            peak = Math.max(peak, Math.abs((short) ((pcm[i] & 0xff) | (pcm[i + 1] << 8))));
        }
        return peak;
    }

    private static HttpResponse<byte[]> speech(String json) {
        return send(HttpRequest.newBuilder(server.uri("/v1/audio/speech"))
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/octet-stream")   // what the SDK asks for
                            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> transcribe(byte[] file, String fileType, String model, String format) {
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"model", null, null, model});
        if (format != null) {
            fields.add(new String[] {"response_format", null, null, format});
        }
        fields.add(new String[] {"file", "speech.wav", fileType, null});
        return server.send(multipart(fields, file));
    }

    private static HttpRequest.Builder multipart(List<String[]> fields) {
        return multipart(fields, new byte[0]);
    }

    /** Each field: name, filename, content type, text value (a file field carries {@code file}). */
    private static HttpRequest.Builder multipart(List<String[]> fields, byte[] file) {
        String boundary = "----sdk-boundary-1234";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String[] f : fields) {
            StringBuilder head = new StringBuilder("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"");
            if (f[1] != null) {
                head.append("; filename=\"").append(f[1]).append('"');
            }
            head.append("\r\n");
            if (f[2] != null) {
                head.append("Content-Type: ").append(f[2]).append("\r\n");
            }
            head.append("\r\n");
            body.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
            body.writeBytes(f[3] != null ? f[3].getBytes(StandardCharsets.UTF_8) : file);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpRequest.newBuilder(server.uri("/v1/audio/transcriptions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertError(HttpResponse<?> r, int status, String code) {
        String body = r.body() instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(r.body());
        assertEquals(status, r.statusCode(), body);
        assertTrue(body.contains("\"code\":\"" + code + "\""), "expected " + code + " in " + body);
    }
}
