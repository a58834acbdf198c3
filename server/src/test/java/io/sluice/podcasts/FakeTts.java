package io.sluice.podcasts;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.http.Json;

/**
 * An OpenAI-compatible TTS upstream on port 0 ({@code POST /v1/audio/speech}): raw 16-bit mono
 * 24 kHz PCM for {@code response_format: pcm}, {@value #BYTES_PER_CHAR} bytes (10 ms) per character
 * of the input, after a configurable delay. It counts calls per input text, the calls in flight and
 * the most ever in flight; from call {@code hangFrom} on it holds every call until closed (a worker
 * stuck in a call when it is killed).
 */
final class FakeTts implements AutoCloseable {
    static final int BYTES_PER_CHAR = 480;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<String, AtomicInteger> byText = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile long delayMillis;
    private volatile int hangFrom = Integer.MAX_VALUE;
    private volatile String refuse;   // input text answered 400, as an upstream refuses a request

    FakeTts(long delayMillis) throws IOException {
        this.delayMillis = delayMillis;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(executor);
        server.createContext("/v1/audio/speech", this::speech);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The settings that make it the provider of the default speech model {@code sluice-tts}. */
    Map<String, String> config() {
        return Map.of("audio.providers.fake.type", "openai-compatible",
                      "audio.providers.fake.base-url", baseUrl(),
                      "audio.models.sluice-tts.route", "fake:tts-1");
    }

    void hangFrom(int call) {
        hangFrom = call;
    }

    void refuse(String text) {
        refuse = text;
    }

    void delay(long millis) {
        delayMillis = millis;
    }

    int calls() {
        return calls.get();
    }

    int calls(String text) {
        AtomicInteger n = byText.get(text);
        return n == null ? 0 : n.get();
    }

    int inFlight() {
        return inFlight.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    void reset() {
        byText.clear();
        calls.set(0);
        maxInFlight.set(0);
        hangFrom = Integer.MAX_VALUE;
        refuse = null;
    }

    static long pcmBytes(String text) {
        return (long) text.length() * BYTES_PER_CHAR;
    }

    private void speech(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody());
            String text = req.path("input").asText();
            int call = calls.incrementAndGet();
            byText.computeIfAbsent(text, t -> new AtomicInteger()).incrementAndGet();
            if (call >= hangFrom) {
                closed.await(120, TimeUnit.SECONDS);
                return;
            }
            Thread.sleep(delayMillis);
            if (text.equals(refuse)) {
                byte[] error = "{\"error\":{\"message\":\"this input is refused\",\"type\":\"invalid_request_error\"}}"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(400, error.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(error);
                }
                return;
            }
            byte[] pcm = new byte[(int) pcmBytes(text)];
            for (int i = 0; i < pcm.length; i += 2) {   // a quiet saw tooth, so the samples are not all zero
                pcm[i] = (byte) (i % 200);
            }
            ex.getResponseHeaders().set("Content-Type", "audio/pcm");
            ex.sendResponseHeaders(200, pcm.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(pcm);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            ex.close();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
