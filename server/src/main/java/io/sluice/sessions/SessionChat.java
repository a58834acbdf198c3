package io.sluice.sessions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.llm.LlmSettings;
import io.sluice.llm.LlmModel;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.http.RequestId;
import io.sluice.llm.CallPolicy;
import io.sluice.llm.ChatRequest;
import io.sluice.tasks.Task;
import io.sluice.llm.ChatRequestValidator;
import io.sluice.llm.ChatResult;
import io.sluice.llm.ChatRouter;
import io.sluice.llm.ChatStream;
import io.sluice.llm.UsageSink;
import io.sluice.llm.ModelCatalog;
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
    private final UsageSink usage;
    private final ModelCatalog catalog;
    private final ChatRouter router;
    private final ChatStream stream;
    private final ChatRequestValidator validator;
    private final SessionSettings settings;
    private final CallPolicy policy;

    public SessionChat(SessionStore store, UsageSink usage, ModelCatalog catalog, ChatRouter router, Admission admission,
                       SessionSettings settings, LlmSettings llm, CallPolicy policy) {
        this.policy = policy;
        this.store = store;
        this.usage = usage;
        this.catalog = catalog;
        this.router = router;
        this.stream = new ChatStream(admission, router, llm.pingInterval());
        this.validator = new ChatRequestValidator(llm, catalog);
        this.settings = settings;
    }

    void chat(Session session, JsonNode body, ServerRequest req, ServerResponse res) {
        String message = validator.userMessage(body, "message");
        LlmModel model = catalog.require(session.model());
        ChatRequest request = request(session, message, streamed(body), validator.maxTokens(body, "max_tokens"));
        // The caller's allow-list, budgets and tokens per minute, as on /v1/chat/completions: refused, nothing is stored.
        CallPolicy.Admitted admitted = policy.admit(req, res, request);
        ChatResult result = null;
        try {
            store.append(session.id(), "user", message, false);
            String requestId = RequestId.of(req);
            if (request.stream()) {
                // The reply is stored before [DONE] goes out: a client that saw the end finds it in the history.
                result = stream.stream(request, model, res, requestId, r -> finish(session, r, requestId, admitted));
            } else {
                result = router.complete(request, model);
                Json.send(res, finish(session, result, requestId, admitted));
            }
        } finally {
            admitted.settle(result);   // null: failed before an answer
        }
    }

    /** An asynchronous turn accepted: what its task needs, and the caller's admission for its call. */
    record Accepted(JsonNode task, CallPolicy.Admitted admitted) {
    }

    /**
     * The asynchronous turn, first half: checks the user's message, admits the caller for the call
     * (refused: nothing stored; the estimate is the system prompt and the message, not the history),
     * stores the message and returns what the task needs to answer it ({@link #replyToLatest}).
     * Stored now, the message keeps its place in the history whenever the task runs.
     */
    Accepted accept(Session session, JsonNode body, ServerRequest req, ServerResponse res) {
        String message = validator.userMessage(body, "message");
        catalog.require(session.model());
        validator.maxTokens(body, "max_tokens");
        int chars = message.length() + (session.systemPrompt() == null ? 0 : session.systemPrompt().length());
        CallPolicy.Admitted admitted = policy.admit(req, res, new ChatRequest(session.model(), null, false, false, session.user(), chars));
        store.append(session.id(), "user", message, false);
        ObjectNode task = Json.MAPPER.createObjectNode().put("session_id", session.id().toString());
        if (body.hasNonNull("max_tokens")) {
            task.set("max_tokens", body.get("max_tokens"));
        }
        return new Accepted(task, admitted);
    }

    /**
     * The asynchronous turn, second half (run by a task worker): answers the newest user message.
     * A task runs at least once: run again after its reply was stored (a crash before the task's
     * commit), it returns the stored reply without calling upstream, and stores no second reply or
     * usage row ({@code requestId} is the task's key). The call is charged to the task's owner and key.
     */
    public JsonNode replyToLatest(Task job, String requestId) {
        JsonNode task = job.request();
        UUID id = UUID.fromString(task.get("session_id").asText());
        Session session = store.find(id).orElseThrow(
                () -> new ApiException(ErrorCode.SESSION_NOT_FOUND, "session " + id + " was deleted"));
        var stored = store.replyOf(requestId);
        if (stored.isPresent()) {
            return Json.MAPPER.valueToTree(json(session, stored.get(), null, 0, 0));
        }
        ChatRequest request = request(session, null, false, validator.maxTokens(task, "max_tokens"));
        CallPolicy.Admitted payer = policy.charge(job.owner(), job.keyId(), session.model());
        ChatResult charged = null;   // settled with the result that has a usage row: once per task
        try {
            ChatResult result = router.complete(request, catalog.require(session.model()));
            if (!result.complete() && result.text().isEmpty()) {
                charged = result;
                return Json.MAPPER.valueToTree(finish(session, result, requestId, payer));
            }
            var inserted = store.appendReply(session.id(), result.text(), !result.complete(), requestId);
            if (inserted.isEmpty()) {
                // Another run of the same task stored its reply first: that one is the answer (and has its usage row).
                return Json.MAPPER.valueToTree(json(session, store.replyOf(requestId).orElseThrow(), null, 0, 0));
            }
            charged = result;
            usage.record(requestId, session.user(), session.id().toString(), session.model(), result, payer.owner(), payer.keyId());
            return Json.MAPPER.valueToTree(json(session, inserted.get(), result.provider(),
                                                result.usage().promptTokens(), result.usage().completionTokens()));
        } finally {
            payer.settle(charged);
        }
    }

    private Map<String, Object> finish(Session session, ChatResult result, String requestId, CallPolicy.Admitted payer) {
        Message reply = result.complete() || !result.text().isEmpty()
                ? store.append(session.id(), "assistant", result.text(), !result.complete())
                : null;
        usage.record(requestId, session.user(), session.id().toString(), session.model(), result, payer.owner(), payer.keyId());
        return json(session, reply, result.provider(), result.usage().promptTokens(), result.usage().completionTokens());
    }

    private static Map<String, Object> json(Session session, Message reply, String provider, int prompt, int completion) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("session_id", session.id().toString());
        json.put("message", reply == null ? null : reply.toJson());
        json.put("provider", provider);
        json.put("usage", Map.of("prompt_tokens", prompt, "completion_tokens", completion, "total_tokens", prompt + completion));
        return json;
    }

    /** The optional {@code stream} flag: absent, null, true or false. */
    static boolean streamed(JsonNode body) {
        return Fields.flag(body, "stream");
    }

    /** System prompt, the newest history that fits the budget, the new message (null: it is the last one stored). */
    private ChatRequest request(Session session, String message, boolean stream, Integer maxTokens) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("model", session.model());
        ArrayNode messages = body.putArray("messages");
        int chars = message == null ? 0 : message.length();
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
        if (message != null) {
            messages.addObject().put("role", "user").put("content", message);
        }
        if (maxTokens != null) {
            body.put("max_tokens", maxTokens);
        }
        body.put("stream", stream);
        return new ChatRequest(session.model(), body, stream, false, session.user(), chars);
    }
}
