package io.sluice.llm;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.http.ReceivedBody;
import io.sluice.http.Text;
import io.sluice.http.RequestId;

/**
 * OpenAI's API, under /v1: {@code POST /chat/completions} (JSON, or server-sent events with
 * {@code stream: true}), {@code GET /models} and {@code GET /models/{id}}. Any OpenAI client
 * pointed at Sluice's base URL works unmodified.
 */
public final class ChatCompletionsService implements HttpService {
    private final ChatStream stream;
    private final ModelCatalog catalog;
    private final ChatRequestValidator validator;
    private final ChatRouter router;
    private final UsageSink usage;
    private final ReplyCache cache;
    private final long created = Instant.now().getEpochSecond();
    private final byte[] modelList;   // the catalog is fixed at start: serialized once, not per request
    private final CallPolicy policy;
    // A key with a model allow-list sees its own list: serialized once per cached scope (weak keys: identity, gone with it).
    private final Cache<Predicate<String>, byte[]> filteredLists = Caffeine.newBuilder().weakKeys().maximumSize(1000).build();

    public ChatCompletionsService(Admission admission, ModelCatalog catalog, ChatRequestValidator validator,
                                  ChatRouter router, UsageSink usage, Duration pingInterval, ReplyCache cache) {
        this(admission, catalog, validator, router, usage, pingInterval, cache, CallPolicy.OPEN);
    }

    public ChatCompletionsService(Admission admission, ModelCatalog catalog, ChatRequestValidator validator,
                                  ChatRouter router, UsageSink usage, Duration pingInterval, ReplyCache cache,
                                  CallPolicy policy) {
        this.policy = policy;
        this.cache = cache;
        this.stream = new ChatStream(admission, router, pingInterval);
        this.catalog = catalog;
        this.validator = validator;
        this.router = router;
        this.usage = usage;
        this.modelList = Json.bytes(Map.of("object", "list", "data", catalog.models().stream().map(this::describe).toList()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/chat/completions", this::completions)
             .get("/models", this::models)
             .get("/models/{id}", this::model);
    }

    private void completions(ServerRequest req, ServerResponse res) {
        ChatRequest chat = validator.validate(Json.readObject(req))
                .withRaw(req.context().get(ReceivedBody.class).map(ReceivedBody::bytes).orElse(null));   // what readObject parsed
        LlmModel model = catalog.require(chat.model());
        CallPolicy.Admitted admitted = policy.admit(req, res, chat);   // allow-list, budgets, tokens per minute: may refuse
        ChatResult result = null;
        try {
            result = complete(req, res, chat, model, admitted);
        } finally {
            admitted.settle(result);   // null: failed before an answer (its token estimate is given back)
        }
    }

    private ChatResult complete(ServerRequest req, ServerResponse res, ChatRequest chat, LlmModel model,
                                CallPolicy.Admitted admitted) {
        String requestId = RequestId.of(req);
        ReplyCache.Lookup cached = cache.open(req, res, chat);   // null: this model is not cached
        if (cached != null && cached.hit() != null) {
            usage.record(requestId, chat.user(), null, chat.model(), cached.hit(), admitted.owner(), admitted.keyId());
            return cached.hit();
        }
        ChatResult result;
        if (chat.stream()) {
            result = stream.stream(chat, model, res, requestId, cached == null ? r -> { } : cached::store);
        } else {
            result = router.complete(chat, model);
            if (cached != null) {
                cached.store(result);   // before the answer goes out: the next identical request finds it
            }
            ProviderHeaders.add(res, catalog.providers().get(result.provider()));
            res.header(HeaderValues.CONTENT_TYPE_JSON);
            res.send(result.body());
        }
        usage.record(requestId, chat.user(), null, chat.model(), result, admitted.owner(), admitted.keyId());
        return result;
    }

    private void models(ServerRequest req, ServerResponse res) {
        Predicate<String> visible = policy.visibleModels(req);
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(visible == null ? modelList : filteredLists.get(visible, v -> Json.bytes(Map.of("object", "list",
                "data", catalog.models().stream().filter(m -> v.test(m.name())).map(this::describe).toList()))));
    }

    private void model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Predicate<String> visible = policy.visibleModels(req);
        if (visible != null && !visible.test(id)) {   // hidden from this key: answered like an unknown model
            throw new ApiException(ErrorCode.MODEL_NOT_FOUND, "The model '" + Text.clip(id, 64) + "' does not exist; see GET /v1/models");
        }
        Json.send(res, describe(catalog.require(id)));
    }

    /** OpenAI's model object, plus whether the answers are simulated. */
    private Map<String, Object> describe(LlmModel model) {
        boolean simulated = catalog.simulated(model);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", model.name());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", simulated ? SimulatedProvider.FINGERPRINT : model.route().getFirst().provider());
        m.put("simulated", simulated);
        m.put("providers", model.route().stream().map(LlmModel.Target::provider).toList());
        return m;
    }
}
