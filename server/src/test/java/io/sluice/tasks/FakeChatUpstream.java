package io.sluice.tasks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible upstream for task tests: a real HTTP server on port 0 answering
 * POST /v1/chat/completions (non-streamed). The behaviour for the n-th call (1-based) is scripted.
 */
final class FakeChatUpstream implements AutoCloseable {

    /** What to do for one call: wait, then answer with a status (200 carries a completion naming the call). */
    record Reply(long delayMs, int status) {
        static Reply ok(long delayMs) {
            return new Reply(delayMs, 200);
        }

        static Reply fail(int status) {
            return new Reply(0, status);
        }
    }

    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();

    FakeChatUpstream(IntFunction<Reply> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> handle(exchange, script.apply(calls.incrementAndGet())));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    int calls() {
        return calls.get();
    }

    private void handle(HttpExchange exchange, Reply reply) throws IOException {
        int call = calls.get();
        exchange.getRequestBody().readAllBytes();
        try {
            Thread.sleep(reply.delayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String body = reply.status() == 200
                ? """
                  {"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"fake","choices":[{"index":0,\
                  "message":{"role":"assistant","content":"answer from call %d"},"finish_reason":"stop"}],\
                  "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""".formatted(call, call)
                : "{\"error\":{\"message\":\"scripted failure\",\"type\":\"server_error\"}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
