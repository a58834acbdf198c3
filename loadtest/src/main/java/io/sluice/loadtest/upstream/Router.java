package io.sluice.loadtest.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import static io.sluice.loadtest.upstream.MiniJson.quote;

/**
 * The simulator's routes: POST /v1/chat/completions, GET /v1/models, GET /health and
 * GET /sim/stats[?reset=true] (chat requests only). Errors use OpenAI's shape {@code {"error":{"message","type","code"}}}.
 */
final class Router implements HttpHandler {
    private final SimOptions options;
    private final SimStats stats;
    private final ChatCompletions chat;

    Router(SimOptions options, SimStats stats) {
        this.options = options;
        this.stats = stats;
        this.chat = new ChatCompletions(options, stats);
    }

    @Override
    public void handle(HttpExchange ex) {
        try (ex) {
            route(ex);
        } catch (IOException e) {
            stats.clientGone(); // the client went away mid-answer, or a stalled answer was cut
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        }
    }

    private void route(HttpExchange ex) throws IOException, InterruptedException {
        String path = ex.getRequestURI().getPath();
        try {
            switch (path) {
                case "/v1/chat/completions", "/chat/completions" -> chat(ex);
                case "/v1/models", "/models" -> send(ex, 200, models());
                case "/health" -> send(ex, 200, "{\"status\":\"ok\",\"in_flight\":" + stats.inFlight() + "}");
                case "/sim/stats" -> send(ex, 200, stats.json("reset=true".equals(ex.getRequestURI().getQuery())));
                default -> error(ex, 404, "invalid_request_error", "not_found", "no route " + path);
            }
        } catch (IllegalArgumentException e) {
            // A bad X-Sim-* header; thrown before any byte of the answer was sent.
            error(ex, 400, "invalid_request_error", "invalid_request", e.getMessage());
        }
    }

    /** Only chat requests count in the stats (in flight, peak), not probes of /health or /sim/stats. */
    private void chat(HttpExchange ex) throws IOException, InterruptedException {
        stats.started();
        try {
            chat.handle(ex);
        } finally {
            stats.finished();
        }
    }

    private String models() {
        StringBuilder b = new StringBuilder("{\"object\":\"list\",\"data\":[");
        long created = System.currentTimeMillis() / 1000;
        for (int k = 0; k < options.models().size(); k++) {
            b.append(k == 0 ? "" : ",").append("{\"id\":").append(quote(options.models().get(k)))
             .append(",\"object\":\"model\",\"created\":").append(created).append(",\"owned_by\":\"sluice-simulator\"}");
        }
        return b.append("]}").toString();
    }

    static void error(HttpExchange ex, int status, String type, String code, String message) throws IOException {
        send(ex, status, "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type)
                + ",\"param\":null,\"code\":" + (code == null ? "null" : quote(code)) + "}}");
    }

    static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
