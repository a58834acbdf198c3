package io.sluice.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.http.Json;

/**
 * The one OpenAI-compatible upstream for tests: a real HTTP server on port 0 answering
 * POST /v1/chat/completions with real server-sent events (or JSON when not streamed). Each test
 * scripts what the next requests get (a reply, an error status, a stall, a slow trickle, a hold);
 * the fake records the requests it received, the chunks it sent, and when a client connection it
 * was writing to turned out closed. {@link TestGateway} starts Sluice in front of one or more.
 */
public final class FakeUpstream implements AutoCloseable {
    private static final String CALL = "fake.call";
    /** What one request gets. */
    @FunctionalInterface
    public interface Behavior {
        void respond(FakeUpstream fake, HttpExchange exchange, JsonNode request) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Behavior> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicLong closedAt = new AtomicLong();
    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Behavior fallback = reply(5, Duration.ZERO);

    private FakeUpstream() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::handle);
        server.createContext("/v1/embeddings", FakeUpstream::embeddings);
        server.start();
    }

    public static FakeUpstream start() {
        try {
            return new FakeUpstream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A URL nothing listens on: connections are refused. */
    public static String refusingUrl() {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort() + "/v1";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The next requests get these, in order; after them, the default. */
    public FakeUpstream then(Behavior... behaviors) {
        Collections.addAll(script, behaviors);
        return this;
    }

    public FakeUpstream byDefault(Behavior behavior) {
        this.fallback = behavior;
        return this;
    }

    public void reset() {
        script.clear();
        requests.clear();
        authorizations.clear();
        sent.clear();
        closedAt.set(0);
        calls.set(0);
        clientPorts.clear();
        fallback = reply(5, Duration.ZERO);
    }

    /** How many requests arrived since the start or the last reset. */
    public int calls() {
        return calls.get();
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** How many distinct client connections the requests came on. */
    public int connections() {
        return clientPorts.size();
    }

    /** Every SSE data payload written so far, in order. */
    public List<String> sent() {
        return List.copyOf(sent);
    }

    /** System.nanoTime() when a write found the client's connection closed; 0 while none has. */
    public long closedAt() {
        return closedAt.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            exchange.setAttribute(CALL, calls.incrementAndGet());
            requests.add(request);
            clientPorts.add(exchange.getRemoteAddress().getPort());
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            Behavior b = script.poll();
            (b == null ? fallback : b).respond(this, exchange, request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** POST /v1/embeddings: input i gets the vector [i + 1, 0.5, -0.25]. */
    private static void embeddings(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            ObjectNode answer = Json.MAPPER.createObjectNode().put("object", "list");
            var data = answer.putArray("data");
            for (int i = 0; i < req.path("input").size(); i++) {
                data.addObject().put("object", "embedding").put("index", i).putArray("embedding").add(i + 1).add(0.5).add(-0.25);
            }
            answer.put("model", req.path("model").asText());
            answer.putObject("usage").put("prompt_tokens", 7).put("total_tokens", 7);
            byte[] body = answer.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    // ---- behaviours ----

    /** Answers with {@code words} words, streamed (one chunk each, {@code gap} apart) or as one JSON. */
    public static Behavior reply(int words, Duration gap) {
        return (fake, ex, req) -> fake.answer(ex, req, words, gap, -1);
    }

    /** Answers (not streamed) with the text "answer from call N", N counting requests from 1: which call a result came from. */
    public static Behavior numbered() {
        return (fake, ex, req) -> fake.complete(ex, req, "answer from call " + ex.getAttribute(CALL), 4);
    }

    /** Streams {@code chunks} chunks, then goes silent without closing (an upstream that stalls). */
    public static Behavior stallAfter(int chunks) {
        return (fake, ex, req) -> fake.answer(ex, req, 1000, Duration.ZERO, chunks);
    }

    /** Answers with an HTTP error status and OpenAI's error body. */
    public static Behavior fail(int status) {
        return (fake, ex, req) -> {
            byte[] body = ("{\"error\":{\"message\":\"fake failure " + status + "\",\"type\":\"server_error\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            if (status == 429) {
                ex.getResponseHeaders().set("Retry-After", "0");
            }
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        };
    }

    /** Waits {@code delay} before sending anything (a slow first byte), then behaves as {@code then}. */
    public static Behavior delayed(Duration delay, Behavior then) {
        return (fake, ex, req) -> {
            if (!fake.stopped.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                then.respond(fake, ex, req);
            }
        };
    }

    /** Waits (bounded) until {@code release} opens, then answers normally. */
    public static Behavior holdUntil(CountDownLatch release) {
        return (fake, ex, req) -> {
            release.await(30, TimeUnit.SECONDS);
            fake.answer(ex, req, 3, Duration.ZERO, -1);
        };
    }

    private void answer(HttpExchange ex, JsonNode req, int words, Duration gap, int stallAfter)
            throws IOException, InterruptedException {
        String model = req.path("model").asText();
        if (!req.path("stream").asBoolean(false)) {
            complete(ex, req, text(words), words);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            event(out, chunk(model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
            for (int i = 0; i < words; i++) {
                if (stallAfter >= 0 && i >= stallAfter) {
                    stopped.await(60, TimeUnit.SECONDS);   // silent, connection open
                    return;
                }
                Thread.sleep(gap);
                event(out, chunk(model, "{\"content\":\"" + (i == 0 ? "" : " ") + "w" + i + "\"}", null));
            }
            event(out, chunk(model, "{}", "stop"));
            if (req.path("stream_options").path("include_usage").asBoolean(false)) {
                ObjectNode u = base(model, "chat.completion.chunk");
                u.putArray("choices");
                u.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", words).put("total_tokens", 11 + words);
                event(out, u.toString());
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            closedAt.compareAndSet(0, System.nanoTime());
            throw e;
        }
    }

    private void complete(HttpExchange ex, JsonNode req, String content, int tokens) throws IOException {
        ObjectNode o = base(req.path("model").asText(), "chat.completion");
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        o.putObject("usage").put("prompt_tokens", 11).put("completion_tokens", tokens).put("total_tokens", 11 + tokens);
        byte[] body = o.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        sent.add(data);
    }

    public static String text(int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(i == 0 ? "" : " ").append("w").append(i);
        }
        return sb.toString();
    }

    static String chunk(String model, String delta, String finish) {
        return base(model, "chat.completion.chunk").toString().replaceAll("}$", "")
                + ",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static ObjectNode base(String model, String object) {
        return Json.MAPPER.createObjectNode().put("id", "chatcmpl-fake").put("object", object).put("created", 1700000000)
                .put("model", model).put("system_fingerprint", "fp_fake");
    }

    @Override
    public void close() {
        stopped.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
