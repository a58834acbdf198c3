package io.sluice.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.http.Json;

/**
 * A fake of Anthropic's Messages API for tests: a real HTTP server on port 0 answering
 * {@code POST /v1/messages} the way api.anthropic.com does, a {@code message} object as JSON or a
 * stream of {@code event:}/{@code data:} server-sent events (message_start, content_block_start,
 * ping, content_block_delta, content_block_stop, message_delta, message_stop), and errors as
 * {@code {"type":"error","error":{"type","message"}}} with their status. Records the requests and headers.
 */
public final class FakeAnthropic implements AutoCloseable {
    /** What one request gets. */
    @FunctionalInterface
    public interface Behavior {
        void respond(HttpExchange exchange, JsonNode request) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Behavior> script = new ConcurrentLinkedQueue<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Headers> headers = Collections.synchronizedList(new ArrayList<>());
    private volatile Behavior fallback = text("Hello from Claude", "end_turn");

    private FakeAnthropic() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(executor);
        server.createContext("/v1/messages", this::handle);
        server.start();
    }

    public static FakeAnthropic start() {
        try {
            return new FakeAnthropic();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeAnthropic then(Behavior... behaviors) {
        Collections.addAll(script, behaviors);
        return this;
    }

    public void reset() {
        script.clear();
        requests.clear();
        headers.clear();
        fallback = text("Hello from Claude", "end_turn");
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    public List<Headers> headers() {
        return List.copyOf(headers);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode request = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            requests.add(request);
            headers.add(ex.getRequestHeaders());
            Behavior b = script.poll();
            (b == null ? fallback : b).respond(ex, request);
        }
    }

    // ---- behaviours ----

    /** A text answer with this stop reason, streamed in words or whole, as the request asks. */
    public static Behavior text(String text, String stopReason) {
        return (ex, req) -> {
            if (!req.path("stream").asBoolean(false)) {
                json(ex, 200, message(req, "[{\"type\":\"text\",\"text\":" + quote(text) + "}]", stopReason));
                return;
            }
            OutputStream out = events(ex);
            start(out, req);
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            event(out, "ping", "{\"type\": \"ping\"}");
            String[] words = text.split("(?<= )");
            for (String w : words) {
                event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                        + quote(w) + "}}");
            }
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            stop(out, stopReason, words.length);
        };
    }

    /** A text block, then a tool_use block calling {@code name} with {@code input} (a JSON object), stop reason tool_use. */
    public static Behavior toolUse(String name, String input) {
        return (ex, req) -> {
            if (!req.path("stream").asBoolean(false)) {
                json(ex, 200, message(req, "[{\"type\":\"text\",\"text\":\"Let me check.\"},{\"type\":\"tool_use\",\"id\":\"toolu_01\","
                        + "\"name\":" + quote(name) + ",\"input\":" + input + "}]", "tool_use"));
                return;
            }
            OutputStream out = events(ex);
            start(out, req);
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check.\"}}");
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
                    + "\"id\":\"toolu_01\",\"name\":" + quote(name) + ",\"input\":{}}}");
            int half = input.length() / 2;
            for (String part : new String[] {input.substring(0, half), input.substring(half)}) {
                event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
                        + "\"partial_json\":" + quote(part) + "}}");
            }
            event(out, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}");
            stop(out, "tool_use", 12);
        };
    }

    /** An error answer: the status and Anthropic's error body. */
    public static Behavior error(int status, String type, String message) {
        return (ex, req) -> json(ex, status, "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":"
                + quote(message) + "},\"request_id\":\"req_fake\"}");
    }

    /** A stream that starts, sends one word, then an {@code error} event (Anthropic does this when overloaded mid-stream). */
    public static Behavior errorEventMidStream(String type) {
        return (ex, req) -> {
            OutputStream out = events(ex);
            start(out, req);
            event(out, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
            event(out, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}");
            event(out, "error", "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":\"Overloaded\"}}");
        };
    }

    private static String message(JsonNode req, String content, String stopReason) {
        return "{\"id\":\"msg_fake01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(req.path("model").asText())
                + ",\"content\":" + content + ",\"stop_reason\":" + quote(stopReason) + ",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":4,\"output_tokens\":9}}";
    }

    private static void start(OutputStream out, JsonNode req) throws IOException {
        event(out, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake01\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[],\"model\":" + quote(req.path("model").asText()) + ",\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":4,\"output_tokens\":1}}}");
    }

    private static void stop(OutputStream out, String stopReason, int outputTokens) throws IOException {
        event(out, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":" + quote(stopReason)
                + ",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}");
        event(out, "message_stop", "{\"type\":\"message_stop\"}");
    }

    private static OutputStream events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    private static void event(OutputStream out, String name, String data) throws IOException {
        out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static String quote(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
