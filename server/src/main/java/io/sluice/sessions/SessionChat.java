package io.sluice.sessions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.Settings;
import io.sluice.Settings.LlmModel;
import io.sluice.admission.Admission;
import io.sluice.http.ApiException;
import io.sluice.http.Json;
import io.sluice.http.RequestId;
import io.sluice.llm.ChatRequest;
import io.sluice.llm.ChatResult;
import io.sluice.llm.ChatRouter;
import io.sluice.llm.ModelCatalog;
import io.sluice.llm.SseWriter;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /v1/sessions/{id}/chat {"message": "...", "stream": bool}}: stores the user's
 * message, sends the system prompt, the history trimmed to budget and the message upstream, and
 * stores the reply. A reply cut short (client gone, upstream failed mid-stream) is stored with
 * {@code incomplete = true}. The database is used before and after the upstream call, never during.
 * Streamed, the client gets OpenAI's chunk format, so any OpenAI stream parser reads it.
 */
public final class SessionChat {
    private final SessionStore store;
    private final UsageStore usage;
    private final ModelCatalog catalog;
    private final ChatRouter router;
    private final Admission admission;
    private final Settings.Sessions settings;
    private final Settings.Llm llm;

    public SessionChat(SessionStore store, UsageStore usage, ModelCatalog catalog, ChatRouter router, Admission admission,
                       Settings.Sessions settings, Settings.Llm llm) {
        this.store = store;
        this.usage = usage;
        this.catalog = catalog;
        this.router = router;
        this.admission = admission;
        this.settings = settings;
        this.llm = llm;
    }

    void chat(Session session, ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        JsonNode text = body.get("message");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw ApiException.badRequest("invalid_messages", "message: required, a non-empty string");
        }
        String message = text.asText();
        if (message.length() > llm.maxContentChars()) {
            throw ApiException.badRequest("content_too_large", "message: " + message.length()
                    + " characters exceeds the limit of " + llm.maxContentChars());
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ApiException.badRequest("invalid_request", "stream: must be true or false");
        }
        LlmModel model = catalog.require(session.model());
        ChatRequest request = request(session, message, stream != null && stream.asBoolean(), body.get("max_tokens"));

        store.append(session.id(), "user", message, false);
        String requestId = RequestId.of(req);
        ChatResult result;
        if (request.stream()) {
            try (Admission.Permit streaming = admission.acquireStream();
                 SseWriter out = new SseWriter(res, llm.pingInterval(), requestId)) {
                result = router.stream(request, model, out);
            }
        } else {
            result = router.complete(request, model);
        }
        Message reply = result.complete() || !result.text().isEmpty()
                ? store.append(session.id(), "assistant", result.text(), !result.complete())
                : null;
        usage.record(requestId, session.user(), session.id().toString(), session.model(), result);
        if (!request.stream()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("session_id", session.id().toString());
            json.put("message", reply == null ? null : reply.toJson());
            json.put("provider", result.provider());
            json.put("usage", Map.of("prompt_tokens", result.usage().promptTokens(),
                                     "completion_tokens", result.usage().completionTokens(),
                                     "total_tokens", result.usage().promptTokens() + result.usage().completionTokens()));
            Json.send(res, json);
        }
    }

    /** System prompt, the newest history that fits the budget, the new message. */
    private ChatRequest request(Session session, String message, boolean stream, JsonNode maxTokens) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", session.model());
        ArrayNode messages = body.putArray("messages");
        int chars = message.length();
        if (session.systemPrompt() != null && !session.systemPrompt().isBlank()) {
            messages.addObject().put("role", "system").put("content", session.systemPrompt());
            chars += session.systemPrompt().length();
        }
        List<Message> history = HistoryTrimmer.trim(store.recent(session.id(), settings.historyMaxMessages()),
                                                    settings.historyTokenBudget());
        for (Message m : history) {
            messages.addObject().put("role", m.role()).put("content", m.content());
            chars += m.content().length();
        }
        messages.addObject().put("role", "user").put("content", message);
        if (maxTokens != null && !maxTokens.isNull()) {
            if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber() || maxTokens.asInt() < 1
                    || maxTokens.asInt() > llm.maxTokensLimit()) {
                throw ApiException.badRequest("invalid_max_tokens", "max_tokens: must be an integer from 1 to " + llm.maxTokensLimit());
            }
            body.put("max_tokens", maxTokens.asInt());
        }
        body.put("stream", stream);
        return new ChatRequest(session.model(), body, stream, false, session.user(), chars);
    }
}
