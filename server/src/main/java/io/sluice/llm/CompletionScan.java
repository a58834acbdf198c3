package io.sluice.llm;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.sluice.http.Json;

/**
 * What Sluice needs from a non-streamed chat.completion, read from the upstream's bytes with
 * Jackson's streaming parser: the token usage, the first choice's text and finish reason, and
 * whether the bytes are a chat.completion at all (one well-formed JSON object with a
 * {@code choices} array). Everything else is skipped without building a tree; the bytes themselves
 * go to the client unchanged, so nothing is parsed and re-serialised on the way through.
 *
 * @param problem why the bytes are not a chat.completion (empty, HTML, malformed, wrong shape); null when they are
 */
record CompletionScan(String text, String finishReason, Integer promptTokens, Integer completionTokens, String problem,
                      int cachedTokens) {

    CompletionScan(String text, String finishReason, Integer promptTokens, Integer completionTokens, String problem) {
        this(text, finishReason, promptTokens, completionTokens, problem, 0);
    }

    /** The fields of a chat.completion, or what is wrong with the bytes ({@link #problem}). */
    static CompletionScan of(byte[] json) {
        if (blank(json)) {
            return invalid("an empty body");
        }
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return invalid("not a JSON object");
            }
            Builder b = new Builder();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("usage") && value == JsonToken.START_OBJECT) {
                    b.usage(p);
                } else if (field.equals("choices") && value == JsonToken.START_ARRAY) {
                    b.choices = true;
                    b.choices(p);
                } else {
                    b.error |= field.equals("error");
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                return invalid("malformed JSON");
            }
            if (!b.choices) {
                return invalid(b.error ? "an error object with status 200" : "a JSON object without choices");
            }
            return new CompletionScan(b.text, b.finishReason, b.prompt, b.completion, null, b.cached);
        } catch (IOException e) {
            return invalid(startsWith(json, '<') ? "HTML, not JSON" : "malformed JSON");
        }
    }

    boolean valid() {
        return problem == null;
    }

    private static CompletionScan invalid(String problem) {
        return new CompletionScan("", null, null, null, problem, 0);
    }

    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] bytes, char c) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == c;
            }
        }
        return false;
    }

    /** Reads a value in the middle of a document (the shared mapper refuses trailing tokens). */
    private static final ObjectReader TREE = Json.MAPPER.readerFor(JsonNode.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final class Builder {
        boolean choices;
        boolean error;
        String text = "";
        String finishReason;
        Integer prompt;
        Integer completion;
        int cached;   // usage.prompt_tokens_details.cached_tokens: the part of the prompt billed at the cached-input price

        void usage(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isNumeric() && field.equals("prompt_tokens")) {
                    prompt = p.getValueAsInt();
                } else if (value.isNumeric() && field.equals("completion_tokens")) {
                    completion = p.getValueAsInt();
                } else if (value == JsonToken.START_OBJECT && field.equals("prompt_tokens_details")) {
                    cached = Math.max(0, TREE.<JsonNode>readValue(p).path("cached_tokens").asInt(0));
                } else {
                    p.skipChildren();
                }
            }
        }

        /** The first choice's message content and finish reason; later choices are skipped. */
        void choices(JsonParser p) throws IOException {
            boolean first = true;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
                if (first && t == JsonToken.START_OBJECT) {
                    choice(p);
                } else {
                    p.skipChildren();
                }
                first = false;
            }
        }

        private void message(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("content") && value == JsonToken.VALUE_STRING) {
                    text = p.getText();
                } else if (field.equals("content") && value == JsonToken.START_ARRAY) {
                    text = ChatRequest.text(TREE.readValue(p));   // content parts: rare, read as a tree
                } else {
                    p.skipChildren();
                }
            }
        }

        private void choice(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("message") && value == JsonToken.START_OBJECT) {
                    message(p);
                } else if (field.equals("finish_reason") && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    finishReason = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
    }
}
