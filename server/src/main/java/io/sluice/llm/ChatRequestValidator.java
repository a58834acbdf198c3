package io.sluice.llm;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;

/**
 * Checks a chat completion request before any upstream sees it, with a 400 that names the field:
 * messages missing or empty, an unknown role, content that is neither a string nor content parts,
 * content over the configured size, an absurd max_tokens. An unknown model is a 404 (OpenAI's
 * {@code model_not_found}).
 */
public final class ChatRequestValidator {
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private final LlmSettings limits;
    private final ModelCatalog models;

    public ChatRequestValidator(LlmSettings limits, ModelCatalog models) {
        this.limits = limits;
        this.models = models;
    }

    public ChatRequest validate(JsonNode json) {
        ObjectNode body = (ObjectNode) json;
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw bad("invalid_model", "model: required, a model id from GET /v1/models");
        }
        int promptChars = messages(body.get("messages"));
        maxTokens(body, "max_tokens");
        maxTokens(body, "max_completion_tokens");
        boolean stream = bool(body, "stream");
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull() && !options.isObject()) {
            throw bad("invalid_request", "stream_options: must be an object");
        }
        boolean includeUsage = options != null && options.isObject() && bool((ObjectNode) options, "include_usage");
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            throw bad("invalid_request", "user: must be a string");
        }
        models.require(model.asText());
        return new ChatRequest(model.asText(), body, stream, includeUsage, user == null ? "" : user.asText(""), promptChars);
    }

    /** Checks the messages and returns their total text length. */
    public int messages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw bad("invalid_messages", "messages: required, a non-empty array of {role, content}");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw bad("invalid_messages", "messages: must be a non-empty array");
        }
        if (messages.size() > limits.maxMessages()) {
            throw bad("too_many_messages", "messages: at most " + limits.maxMessages() + " allowed, got " + messages.size());
        }
        int total = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw bad("invalid_messages", where + ": must be an object with role and content");
            }
            String role = m.path("role").isTextual() ? m.get("role").asText() : null;
            if (role == null || !ROLES.contains(role)) {
                throw bad("invalid_role", where + ".role: " + (role == null ? "required" : "unknown role '" + clip(role) + "'")
                        + " (one of system, developer, user, assistant, tool)");
            }
            total += content(m.get("content"), role, m.has("tool_calls") || m.has("function_call"), where);
        }
        return total;
    }

    public void checkContentLength(int chars, String where) {
        if (chars > limits.maxContentChars()) {
            throw bad("content_too_large", where + ": " + chars + " characters exceeds the limit of " + limits.maxContentChars());
        }
    }

    private int content(JsonNode content, String role, boolean hasCalls, String where) {
        String at = where + ".content";
        if (content == null || content.isNull()) {
            if (role.equals("assistant") && hasCalls) {
                return 0;
            }
            throw bad("invalid_content", at + ": required");
        }
        if (content.isTextual()) {
            checkContentLength(content.asText().length(), at);
            return content.asText().length();
        }
        if (!content.isArray() || content.isEmpty()) {
            throw bad("invalid_content", at + ": must be a string or a non-empty array of content parts");
        }
        int chars = 0;
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = at + "[" + j + "]";
            if (!part.isObject() || !part.path("type").isTextual()) {
                throw bad("invalid_content", p + ": a content part needs a string type");
            }
            if (part.get("type").asText().equals("text")) {
                if (!part.path("text").isTextual()) {
                    throw bad("invalid_content", p + ".text: required for a text part");
                }
                chars += part.get("text").asText().length();
            } else {
                chars += part.toString().length();   // images, audio: bounded as JSON
            }
        }
        checkContentLength(chars, at);
        return chars;
    }

    private void maxTokens(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > limits.maxTokensLimit()) {
            throw bad("invalid_max_tokens", field + ": must be an integer from 1 to " + limits.maxTokensLimit()
                    + ", got " + clip(n.toString()));
        }
    }

    private static boolean bool(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw bad("invalid_request", field + ": must be true or false");
        }
        return n.asBoolean();
    }

    private static String clip(String s) {
        String c = s.replaceAll("[^\\x20-\\x7E]", "?");
        return c.length() > 40 ? c.substring(0, 40) + "..." : c;
    }

    static ApiException bad(String code, String message) {
        return ApiException.badRequest(code, message);
    }
}
