package io.sluice.llm;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Text;

/**
 * Checks a chat completion request before any upstream sees it, with a 400 that names the field:
 * messages missing or empty, an unknown role, content that is neither a string nor content parts,
 * content over the configured size, an absurd max_tokens. An unknown model is a 404 (OpenAI's
 * {@code model_not_found}).
 */
public final class ChatRequestValidator {
    private static final int MAX_USER = 512;
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private final LlmSettings limits;
    private final ModelCatalog models;

    static final int MAX_CHOICES = 8;

    public ChatRequestValidator(LlmSettings limits, ModelCatalog models) {
        this.limits = limits;
        this.models = models;
    }

    public ChatRequest validate(JsonNode json) {
        ObjectNode body = (ObjectNode) json;
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw bad(ErrorCode.INVALID_MODEL, "model: required, a model id from GET /v1/models");
        }
        int promptChars = messages(body.get("messages"));
        Integer maxTokens = maxTokens(body, "max_tokens");
        Integer maxCompletion = maxTokens(body, "max_completion_tokens");
        choices(body, maxCompletion != null ? maxCompletion : maxTokens);
        boolean stream = Fields.flag(body, "stream");
        JsonNode options = Fields.optionalObject(body, "stream_options");
        boolean includeUsage = options != null && Fields.flag(options, "include_usage");
        String user = Fields.optionalText(body, "user", MAX_USER);
        models.require(model.asText());
        return new ChatRequest(model.asText(), body, stream, includeUsage, user == null ? "" : user, promptChars);
    }

    /** Checks the messages and returns their total text length. */
    public int messages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw bad(ErrorCode.INVALID_MESSAGES, "messages: required, a non-empty array of {role, content}");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw bad(ErrorCode.INVALID_MESSAGES, "messages: must be a non-empty array");
        }
        if (messages.size() > limits.maxMessages()) {
            throw bad(ErrorCode.TOO_MANY_MESSAGES, "messages: at most " + limits.maxMessages() + " allowed, got " + messages.size());
        }
        int total = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject()) {
                throw bad(ErrorCode.INVALID_MESSAGES, where(i) + ": must be an object with role and content");
            }
            String role = m.path("role").isTextual() ? m.get("role").asText() : null;
            if (role == null || !ROLES.contains(role)) {
                throw bad(ErrorCode.INVALID_ROLE, where(i) + ".role: " + (role == null ? "required" : "unknown role '" + Text.clip(role, 40) + "'")
                        + " (one of system, developer, user, assistant, tool)");
            }
            total += content(m.get("content"), role, m.has("tool_calls") || m.has("function_call"), i);
        }
        return total;
    }

    /**
     * A single user message given as a plain string (a session's chat turn, stored): required, not
     * blank, within the content limit, no NUL; the same codes as a message in {@code messages}.
     */
    public String userMessage(JsonNode body, String field) {
        JsonNode text = body.get(field);
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw bad(ErrorCode.INVALID_MESSAGES, field + ": required, a non-empty string");
        }
        checkContentLength(text.asText().length(), field);
        if (text.asText().indexOf('\0') >= 0) {   // it is stored, and PostgreSQL text cannot hold a NUL
            throw bad(ErrorCode.INVALID_CONTENT, field + ": must not contain NUL characters");
        }
        return text.asText();
    }

    public void checkContentLength(int chars, String where) {
        if (chars > limits.maxContentChars()) {
            throw bad(ErrorCode.CONTENT_TOO_LARGE, where + ": " + chars + " characters exceeds the limit of " + limits.maxContentChars());
        }
    }

    /** Where a message is, for an error; built only when there is one (not per message of every request). */
    private static String where(int i) {
        return "messages[" + i + "]";
    }

    private int content(JsonNode content, String role, boolean hasCalls, int i) {
        if (content == null || content.isNull()) {
            if (role.equals("assistant") && hasCalls) {
                return 0;
            }
            throw bad(ErrorCode.INVALID_CONTENT, where(i) + ".content: required");
        }
        if (content.isTextual()) {
            int length = content.asText().length();
            if (length > limits.maxContentChars()) {
                checkContentLength(length, where(i) + ".content");
            }
            return length;
        }
        String at = where(i) + ".content";   // content parts: rare enough to name eagerly
        if (!content.isArray() || content.isEmpty()) {
            throw bad(ErrorCode.INVALID_CONTENT, at + ": must be a string or a non-empty array of content parts");
        }
        int chars = 0;
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = at + "[" + j + "]";
            if (!part.isObject() || !part.path("type").isTextual()) {
                throw bad(ErrorCode.INVALID_CONTENT, p + ": a content part needs a string type");
            }
            if (part.get("type").asText().equals("text")) {
                if (!part.path("text").isTextual()) {
                    throw bad(ErrorCode.INVALID_CONTENT, p + ".text: required for a text part");
                }
                chars += part.get("text").asText().length();
            } else {
                chars += part.toString().length();   // images, audio: bounded as JSON
            }
        }
        checkContentLength(chars, at);
        return chars;
    }

    /** An optional token limit from 1 to {@code llm.max-tokens-limit}; null when absent. */
    public Integer maxTokens(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > limits.maxTokensLimit()) {
            throw bad(ErrorCode.INVALID_MAX_TOKENS, field + ": must be an integer from 1 to " + limits.maxTokensLimit()
                    + ", got " + Text.clip(n.toString(), 40));
        }
        return n.asInt();
    }

    /**
     * {@code n} answers: at most {@link #MAX_CHOICES}, and n x max_tokens within {@code llm.max-tokens-limit},
     * so the upstream's work (and the answer relayed through this server) is not multiplied by one field.
     */
    private void choices(JsonNode body, Integer maxTokens) {
        JsonNode n = body.get("n");
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > MAX_CHOICES) {
            throw bad(ErrorCode.INVALID_REQUEST, "n: must be an integer from 1 to " + MAX_CHOICES + ", got " + Text.clip(n.toString(), 40));
        }
        if (maxTokens != null && (long) n.asInt() * maxTokens > limits.maxTokensLimit()) {
            throw bad(ErrorCode.INVALID_MAX_TOKENS, "n x max_tokens: at most " + limits.maxTokensLimit() + " tokens in all, got "
                    + n.asInt() + " x " + maxTokens);
        }
    }

    static ApiException bad(ErrorCode code, String message) {
        return ApiException.badRequest(code, message);
    }
}
