package io.sluice.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.Json;

/**
 * A non-streamed chat completion for callers other than an HTTP client: tasks, scenes and
 * synchronous scene calls. Same validation, routing, bulkhead, {@link CallPolicy} and usage record
 * as {@code POST /v1/chat/completions}; failures are {@link ApiException}s. A call answered now is
 * {@link #admit admitted} for the request's caller and settled here; a task is admitted when it is
 * submitted and charged here, by the worker, to the owner and key it carries.
 */
public final class Completer {
    private final ModelCatalog catalog;
    private final ChatRequestValidator validator;
    private final ChatRouter router;
    private final UsageSink usage;
    private final CallPolicy policy;

    public Completer(ModelCatalog catalog, ChatRequestValidator validator, ChatRouter router, UsageSink usage,
                     CallPolicy policy) {
        this.catalog = catalog;
        this.validator = validator;
        this.router = router;
        this.usage = usage;
        this.policy = policy;
    }

    /** Checks a request now (400/404), so a queued task never fails for a reason the caller could see at once. */
    public ChatRequest validate(JsonNode request) {
        ChatRequest chat = validator.validate(nonStreamed(request));
        catalog.require(chat.model());
        return chat;
    }

    /**
     * Checks a request (400/404) and admits the request's caller for it (403 model_not_allowed, 429
     * insufficient_quota or tokens per minute), before any work. Settle what it returns: by
     * {@link #complete(ChatRequest, String, CallPolicy.Admitted)}, or with null if the call is not made.
     */
    public CallPolicy.Admitted admit(JsonNode request, ServerRequest req, ServerResponse res) {
        return admit(validate(request), req, res);
    }

    /** As above, for a request already {@link #validate validated}. */
    public CallPolicy.Admitted admit(ChatRequest chat, ServerRequest req, ServerResponse res) {
        return policy.admit(req, res, chat);
    }

    /** A {@link #validate validated} call answered now for an admitted caller: charged to it once it has ended. */
    public JsonNode complete(ChatRequest chat, String requestId, CallPolicy.Admitted payer) {
        return settled(chat, requestId, payer);
    }

    /** A task's call, run by a worker: charged to the owner and key that submitted it (admitted then). */
    public JsonNode complete(JsonNode request, String requestId, String owner, String keyId) {
        ChatRequest chat = validator.validate(nonStreamed(request));
        return settled(chat, requestId, policy.charge(owner, keyId, chat.model()));
    }

    /** The call, its usage row in the payer's name, and the payer settled with its result (null if it failed). */
    private JsonNode settled(ChatRequest chat, String requestId, CallPolicy.Admitted payer) {
        ChatResult result = null;
        try {
            result = router.complete(chat, catalog.require(chat.model()));
            usage.record(requestId, chat.user(), null, chat.model(), result, payer.owner(), payer.keyId());
        } finally {
            payer.settle(result);
        }
        return parse(result);
    }

    private static JsonNode parse(ChatResult result) {
        try {
            // The router has checked the bytes (CompletionScan): a chat.completion; a tree is what tasks store.
            return Json.MAPPER.readTree(result.body());
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "the upstream answer is not JSON");
        }
    }

    private static JsonNode nonStreamed(JsonNode request) {
        if (request instanceof ObjectNode o && o.path("stream").asBoolean(false)) {
            ObjectNode copy = o.deepCopy();
            copy.put("stream", false);
            return copy;
        }
        return request;
    }
}
