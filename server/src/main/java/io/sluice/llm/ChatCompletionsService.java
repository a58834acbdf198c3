package io.sluice.llm;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;
import io.sluice.http.Json;
import io.sluice.http.ReceivedBody;
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

    public ChatCompletionsService(Admission admission, ModelCatalog catalog, ChatRequestValidator validator,
                                  ChatRouter router, UsageSink usage, Duration pingInterval, ReplyCache cache) {
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
        String requestId = RequestId.of(req);
        ReplyCache.Lookup cached = cache.open(req, res, chat);   // null: this model is not cached
        if (cached != null && cached.hit() != null) {
            usage.record(requestId, chat.user(), null, chat.model(), cached.hit());
            return;
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
        usage.record(requestId, chat.user(), null, chat.model(), result);
    }

    private void models(ServerRequest req, ServerResponse res) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(modelList);
    }

    private void model(ServerRequest req, ServerResponse res) {
        Json.send(res, describe(catalog.require(req.path().pathParameters().get("id"))));
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
