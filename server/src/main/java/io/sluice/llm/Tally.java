package io.sluice.llm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/** Adds up what an answer contained as it passes through: the text, why it finished, the usage. */
final class Tally {
    private final StringBuilder text = new StringBuilder();
    private String finishReason;
    private Integer promptTokens;      // the upstream's count, when it sent one
    private int completionTokens;
    private int cachedTokens;          // prompt_tokens_details.cached_tokens, when the upstream sent it
    private String model;              // the upstream's "model" of the first chunk (a streamed answer's response model)

    /** What to do with a streamed chunk. */
    enum Verdict {
        RELAY,
        /** The usage-only chunk a client did not ask for (Sluice asks every upstream for usage, to record it). */
        SKIP,
        /** Not a chat.completion.chunk: not a JSON object, or one with neither choices nor usage. */
        INVALID
    }

    /** Notes one streamed chunk and says whether it goes to the client. */
    Verdict chunk(String data, boolean clientWantsUsage) {
        JsonNode chunk = parse(data.getBytes(StandardCharsets.UTF_8));
        if (chunk == null || !chunk.isObject()) {
            return Verdict.INVALID;
        }
        JsonNode choices = chunk.path("choices");
        boolean hasUsage = chunk.hasNonNull("usage");
        if (!choices.isArray() && !hasUsage) {
            return Verdict.INVALID;
        }
        if (model == null) {
            model = chunk.path("model").textValue();
        }
        if (hasUsage) {
            JsonNode usage = chunk.get("usage");
            if (usage.path("prompt_tokens").canConvertToInt()) {
                promptTokens = usage.path("prompt_tokens").asInt();
                completionTokens = usage.path("completion_tokens").asInt();
                cachedTokens = Math.max(0, usage.path("prompt_tokens_details").path("cached_tokens").asInt(0));
            }
            if (choices.isArray() && choices.isEmpty() && !clientWantsUsage) {
                return Verdict.SKIP;
            }
        }
        JsonNode first = choices.path(0);
        JsonNode content = first.path("delta").path("content");
        if (content.isTextual()) {
            text.append(content.asText());
        }
        if (first.hasNonNull("finish_reason")) {
            finishReason = first.get("finish_reason").asText();
        }
        return Verdict.RELAY;
    }

    /** Notes a whole non-streamed answer, scanned from its bytes without building a tree (they are relayed as they are). */
    void body(CompletionScan completion) {
        text.append(completion.text());
        finishReason = completion.finishReason();
        if (completion.promptTokens() != null) {
            promptTokens = completion.promptTokens();
            completionTokens = completion.completionTokens() == null ? 0 : completion.completionTokens();
            cachedTokens = completion.cachedTokens();
        }
    }

    String text() {
        return text.toString();
    }

    String finishReason() {
        return finishReason;
    }

    /** The model a streamed answer named; null for a non-streamed one (its body has it). */
    String model() {
        return model;
    }

    ChatResult.Usage usage(int promptChars) {
        if (promptTokens != null) {
            return new ChatResult.Usage(promptTokens, completionTokens, false, cachedTokens);
        }
        return new ChatResult.Usage(Math.max(1, promptChars / 4), (text.length() + 3) / 4, true);
    }

    private static JsonNode parse(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}
