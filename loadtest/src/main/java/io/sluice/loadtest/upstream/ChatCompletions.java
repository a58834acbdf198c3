package io.sluice.loadtest.upstream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;

import static io.sluice.loadtest.upstream.MiniJson.quote;

/**
 * POST /v1/chat/completions as OpenAI answers it: a {@code chat.completion} object with usage, or
 * (with {@code "stream": true}) server-sent events {@code data: {chunk}} — a first chunk carrying
 * the role, one chunk per token in {@code choices[0].delta.content}, a last one with the
 * finish reason — ending with {@code data: [DONE]}. Latency, pace, errors and stalls come from
 * {@link SimOptions} or per request from X-Sim-* headers. Runs on the request's virtual thread and
 * simply sleeps, so ten thousand slow answers cost ten thousand parked virtual threads.
 */
final class ChatCompletions {
    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final String[] WORDS = ("Sluice simulates a language model that answers slowly and steadily, "
            + "one token at a time, so that a gateway can be measured honestly under load without a real model.")
            .split(" ");

    private final SimOptions options;
    private final SimStats stats;
    private final AtomicLong ids = new AtomicLong();

    ChatCompletions(SimOptions options, SimStats stats) {
        this.options = options;
        this.stats = stats;
    }

    void handle(HttpExchange ex) throws IOException, InterruptedException {
        if (!"POST".equals(ex.getRequestMethod())) {
            Router.error(ex, 405, "invalid_request_error", "method_not_allowed", "use POST");
            return;
        }
        byte[] raw = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (raw.length > MAX_BODY) {
            Router.error(ex, 413, "invalid_request_error", "too_large", "request body over " + MAX_BODY + " bytes");
            return;
        }
        Map<?, ?> body;
        try {
            if (!(MiniJson.parse(new String(raw, StandardCharsets.UTF_8)) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("not a JSON object");
            }
            body = m;
        } catch (IllegalArgumentException e) {
            Router.error(ex, 400, "invalid_request_error", "invalid_json", "request body is not valid JSON: " + e.getMessage());
            return;
        }
        if (!(body.get("messages") instanceof List<?> messages) || messages.isEmpty()) {
            Router.error(ex, 400, "invalid_request_error", "invalid_messages", "'messages' must be a non-empty array");
            return;
        }
        Request r = request(ex, body, messages);
        if (r.errorStatus != 0) {
            stats.error();
            if (r.errorStatus == 429) {
                ex.getResponseHeaders().set("Retry-After", "1");
                Router.error(ex, 429, "requests", "rate_limit_exceeded", "simulated rate limit");
            } else {
                Router.error(ex, r.errorStatus, "server_error", null, "simulated upstream error");
            }
            return;
        }
        Thread.sleep(r.latencyMs);
        if (r.stream) {
            stream(ex, r);
        } else {
            complete(ex, r);
        }
    }

    private record Request(String id, String model, boolean stream, boolean includeUsage, int tokens,
                           boolean truncated, int promptTokens, long latencyMs, int errorStatus, boolean stall) {
    }

    private Request request(HttpExchange ex, Map<?, ?> body, List<?> messages) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String model = body.get("model") instanceof String s && !s.isBlank() ? s : options.models().getFirst();
        boolean stream = Boolean.TRUE.equals(body.get("stream"));
        boolean includeUsage = body.get("stream_options") instanceof Map<?, ?> so && Boolean.TRUE.equals(so.get("include_usage"));
        int tokens = header(ex, "X-Sim-Tokens", options.tokens(), 0, 100_000);
        Object max = body.containsKey("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        boolean truncated = max instanceof Number n && n.intValue() >= 0 && n.intValue() < tokens;
        if (truncated) {
            tokens = ((Number) max).intValue();
        }
        String latency = ex.getRequestHeaders().getFirst("X-Sim-Latency-Ms");
        long latencyMs = (latency != null ? SimOptions.Range.parse(latency) : options.latencyMs()).sample(random);
        int errorStatus = header(ex, "X-Sim-Error", 0, 0, 599);
        if (errorStatus < 400) {
            errorStatus = 0;
        }
        if (errorStatus == 0 && random.nextDouble() < options.errorRate()) {
            errorStatus = options.errorStatuses().get(random.nextInt(options.errorStatuses().size()));
        }
        boolean stall = "true".equalsIgnoreCase(ex.getRequestHeaders().getFirst("X-Sim-Stall"))
                || random.nextDouble() < options.stallRate();
        int chars = 0;
        for (Object m : messages) {
            if (m instanceof Map<?, ?> mm && mm.get("content") instanceof String c) {
                chars += c.length();
            }
        }
        return new Request("chatcmpl-sim-" + ids.incrementAndGet(), model, stream, includeUsage, tokens, truncated,
                Math.max(1, chars / 4), latencyMs, errorStatus, stall);
    }

    private void complete(HttpExchange ex, Request r) throws IOException, InterruptedException {
        StringBuilder content = new StringBuilder();
        for (int k = 0; k < r.tokens; k++) {
            content.append(token(k));
        }
        String json = "{\"id\":\"" + r.id + "\",\"object\":\"chat.completion\",\"created\":" + now()
                + ",\"model\":" + quote(r.model) + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + quote(content.toString()) + "},\"finish_reason\":\"" + (r.truncated ? "length" : "stop") + "\"}],"
                + usage(r) + "}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        OutputStream out = ex.getResponseBody();
        if (r.stall) {
            // Half the body, then silence: the client has headers and a Content-Length it will never get.
            stats.stall();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            Thread.sleep(options.stall());
            return; // closing with fewer bytes than announced makes the JDK drop the connection: a cut
        }
        out.write(bytes);
        stats.completed();
    }

    private void stream(HttpExchange ex, Request r) throws IOException, InterruptedException {
        stats.streamed();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked
        OutputStream out = ex.getResponseBody();
        long created = now();
        send(out, chunk(r, created, "{\"role\":\"assistant\",\"content\":\"\"}", null));
        long start = System.nanoTime();
        double interval = options.tokensPerSecond() > 0 ? 1e9 / options.tokensPerSecond() : 0;
        for (int k = 0; k < r.tokens; k++) {
            if (r.stall && k == r.tokens / 2) {
                // Go silent mid-stream (no finish_reason, no [DONE]), then end: the gateway's idle timeout must act first.
                stats.stall();
                Thread.sleep(options.stall());
                return;
            }
            if (interval > 0 && k > 0) {
                long wait = start + (long) (k * interval) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
            }
            send(out, chunk(r, created, "{\"content\":" + quote(token(k)) + "}", null));
        }
        send(out, chunk(r, created, "{}", r.truncated ? "length" : "stop"));
        if (r.includeUsage) {
            send(out, "{\"id\":\"" + r.id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                    + ",\"model\":" + quote(r.model) + ",\"choices\":[]," + usage(r) + "}");
        }
        send(out, "[DONE]");
        stats.completed();
    }

    private static String chunk(Request r, long created, String delta, String finish) {
        return "{\"id\":\"" + r.id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                + ",\"model\":" + quote(r.model) + ",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"finish_reason\":" + (finish == null ? "null" : quote(finish)) + "}]}";
    }

    /** One SSE event, flushed at once (with TCP_NODELAY on, it leaves now, not after a delayed ACK). */
    private static void send(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String usage(Request r) {
        return "\"usage\":{\"prompt_tokens\":" + r.promptTokens + ",\"completion_tokens\":" + r.tokens
                + ",\"total_tokens\":" + (r.promptTokens + r.tokens) + "}";
    }

    private static String token(int k) {
        return (k == 0 ? "" : " ") + WORDS[k % WORDS.length];
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static int header(HttpExchange ex, String name, int def, int min, int max) {
        String v = ex.getRequestHeaders().getFirst(name);
        if (v == null) {
            return def;
        }
        try {
            return Math.clamp(Long.parseLong(v.trim()), min, max);
        } catch (NumberFormatException e) {
            return def;
        }
    }
}
