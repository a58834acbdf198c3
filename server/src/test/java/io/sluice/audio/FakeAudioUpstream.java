package io.sluice.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible audio upstream on port 0, speaking real HTTP: {@code /v1/audio/speech}
 * answers a chunked WAV (after {@code holdMillis}), {@code /v1/audio/transcriptions} a JSON
 * transcript; in {@code stall} mode both accept the request and never answer until closed. It
 * counts the calls it holds at once and the most it ever held.
 */
final class FakeAudioUpstream implements AutoCloseable {
    enum Mode { SERVE, STALL, STALL_MID_STREAM, FAIL }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger disconnected = new AtomicInteger();
    private final Mode mode;
    private final long holdMillis;

    FakeAudioUpstream(Mode mode, long holdMillis) throws IOException {
        this.mode = mode;
        this.holdMillis = holdMillis;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(executor);
        server.createContext("/v1/audio/speech", this::speech);
        server.createContext("/v1/audio/transcriptions", this::transcription);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int calls() {
        return calls.get();
    }

    private void speech(HttpExchange ex) throws IOException {
        serve(ex, () -> {
            byte[] wav = Wav.wrap(new byte[4800]);   // 0.1 s of silence
            ex.getResponseHeaders().set("Content-Type", "audio/wav");
            ex.sendResponseHeaders(200, 0);   // chunked
            try (OutputStream out = ex.getResponseBody()) {
                out.write(wav, 0, 100);
                out.flush();
                out.write(wav, 100, wav.length - 100);
            }
        });
    }

    private void transcription(HttpExchange ex) throws IOException {
        serve(ex, () -> {
            byte[] body = "{\"text\":\"from the fake upstream\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
    }

    private interface Answer {
        void send() throws IOException;
    }

    private void serve(HttpExchange ex, Answer answer) throws IOException {
        calls.incrementAndGet();
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            ex.getRequestBody().readAllBytes();
            switch (mode) {
                case STALL -> closed.await(60, TimeUnit.SECONDS);   // holds the request unanswered
                case STALL_MID_STREAM -> {   // the header of a long WAV, then nothing
                    ex.getResponseHeaders().set("Content-Type", "audio/wav");
                    ex.sendResponseHeaders(200, 0);
                    ex.getResponseBody().write(Wav.header(Wav.PCM_24K, 480_000));
                    ex.getResponseBody().write(new byte[4800]);
                    ex.getResponseBody().flush();
                    closed.await(60, TimeUnit.SECONDS);
                }
                case FAIL -> {
                    byte[] body = "{\"error\":{\"message\":\"fake failure\"}}".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(500, body.length);
                    ex.getResponseBody().write(body);
                }
                case SERVE -> {
                    Thread.sleep(holdMillis);
                    answer.send();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            disconnected.incrementAndGet();
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
