package io.sluice.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;

/**
 * A non-streamed chat completion for callers other than an HTTP client: tasks, scenes and
 * synchronous scene calls. Same validation, routing, bulkhead and usage record as
 * {@code POST /v1/chat/completions}; failures are {@link ApiException}s.
 */
public final class Completer {
    private final ModelCatalog catalog;
    private final ChatRequestValidator validator;
    private final ChatRouter router;
    private final UsageSink usage;

    public Completer(ModelCatalog catalog, ChatRequestValidator validator, ChatRouter router, UsageSink usage) {
        this.catalog = catalog;
        this.validator = validator;
        this.router = router;
        this.usage = usage;
    }

    /** Checks a request now (400/404), so a queued task never fails for a reason the caller could see at once. */
    public void validate(JsonNode request) {
        catalog.require(validator.validate(nonStreamed(request)).model());
    }

    public JsonNode complete(JsonNode request, String requestId) {
        ChatRequest chat = validator.validate(nonStreamed(request));
        LlmModel model = catalog.require(chat.model());
        ChatResult result = router.complete(chat, model);
        usage.record(requestId, chat.user(), null, chat.model(), result);
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
