package io.sluice.llm;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;

/**
 * The built-in upstream: deterministic text (the same request gives the same words) at a
 * configurable latency and pace, in OpenAI's exact wire format. It lets a fresh machine with no
 * model and no network run every feature, and it says what it is: {@code system_fingerprint}
 * is {@value #FINGERPRINT}.
 */
public final class SimulatedProvider implements Provider {
    public static final String FINGERPRINT = "simulated";
    private static final String[] WORDS = ("the gateway keeps every slow call bounded so one small box can hold many "
            + "streams at once while retries stay within budget and each permit is released when the work ends").split(" ");

    private final String name;
    private final Duration latency;
    private final long tokenNanos;
    private final int replyTokens;

    public SimulatedProvider(LlmProvider s) {
        this.name = s.name();
        this.latency = s.latency();
        this.tokenNanos = 1_000_000_000L / s.tokensPerSecond();
        this.replyTokens = s.replyTokens();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public void call(UpstreamBody upstream, boolean stream, Provider.Delivery delivery) throws InterruptedException {
        ObjectNode body = upstream.tree();
        String model = body.path("model").asText();
        int limit = maxTokens(body);
        List<String> words = reply(lastUserText(body.path("messages")), Math.min(limit, replyTokens));
        String finish = limit < replyTokens ? "length" : "stop";
        int promptTokens = Math.max(1, body.path("messages").toString().length() / 4);
        String id = "chatcmpl-sim-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        long created = System.currentTimeMillis() / 1000;
        Thread.sleep(latency);
        delivery.started();
        if (!stream) {
            Thread.sleep(Duration.ofNanos(tokenNanos * words.size()));
            ObjectNode whole = completion(id, created, model, String.join("", words), finish, usage(promptTokens, words.size()));
            delivery.body(whole.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        delivery.chunk(chunk(id, created, model, Json.MAPPER.createObjectNode().put("role", "assistant").put("content", ""), null));
        for (String w : words) {
            Thread.sleep(Duration.ofNanos(tokenNanos));
            delivery.chunk(chunk(id, created, model, Json.MAPPER.createObjectNode().put("content", w), null));
        }
        delivery.chunk(chunk(id, created, model, Json.MAPPER.createObjectNode(), finish));
        if (body.path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode last = base(id, created, model, "chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", usage(promptTokens, words.size()));
            delivery.chunk(last.toString());
        }
        delivery.done();
    }

    /** "Simulated reply to: <the start of the question>." then filler words, one token each. */
    static List<String> reply(String question, int tokens) {
        List<String> out = new ArrayList<>();
        String[] head = ("Simulated reply to: " + excerpt(question) + ".").split(" ");
        int seed = Math.floorMod(question.hashCode(), WORDS.length);
        for (int i = 0; i < tokens; i++) {
            String w = i < head.length ? head[i] : WORDS[(seed + i) % WORDS.length];
            out.add(i == 0 ? w : " " + w);
        }
        return out;
    }

    private static String excerpt(String text) {
        String[] words = text.trim().split("\\s+");
        String joined = String.join(" ", Arrays.copyOf(words, Math.min(words.length, 8)));
        return words.length > 8 ? joined + " ..." : joined;
    }

    private static String lastUserText(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return ChatRequest.text(m.path("content"));
            }
        }
        return "";
    }

    private static int maxTokens(JsonNode body) {
        JsonNode n = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        return n != null && n.canConvertToInt() ? n.asInt() : Integer.MAX_VALUE;
    }

    private static ObjectNode base(String id, long created, String model, String object) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id).put("object", object).put("created", created).put("model", model)
         .put("system_fingerprint", FINGERPRINT);
        return o;
    }

    private static String chunk(String id, long created, String model, ObjectNode delta, String finish) {
        ObjectNode o = base(id, created, model, "chat.completion.chunk");
        ObjectNode choice = o.putArray("choices").addObject().put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        return o.toString();
    }

    private static ObjectNode completion(String id, long created, String model, String text, String finish, ObjectNode usage) {
        ObjectNode o = base(id, created, model, "chat.completion");
        ArrayNode choices = o.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        o.set("usage", usage);
        return o;
    }

    private static ObjectNode usage(int prompt, int completion) {
        return Json.MAPPER.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
