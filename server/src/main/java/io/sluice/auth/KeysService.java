package io.sluice.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.Json;

/** {@code /api/keys}: create (the key is in this answer only), list and revoke the caller's own API keys. */
public final class KeysService implements HttpService {
    private final ApiKeys keys;
    private final ApiKeyStore store;

    public KeysService(ApiKeys keys, ApiKeyStore store) {
        this.keys = keys;
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
             .get("/", this::list)
             .delete("/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        UUID user = userId(Principal.of(req));
        String name = null;
        if (req.content().hasEntity()) {
            JsonNode n = Json.readObject(req).get("name");
            if (n != null && !n.isNull()) {
                if (!n.isTextual() || n.asText().length() > 200) {
                    throw ApiException.badRequest("invalid_request", "name: a string of at most 200 characters");
                }
                name = n.asText();
            }
        }
        ApiKeys.Created created = keys.create(user, name);
        Map<String, Object> json = new LinkedHashMap<>(created.row().view());
        json.put("key", created.key());
        json.put("note", "store this key now: it is not shown again");
        res.status(Status.CREATED_201);
        Json.send(res, json);
    }

    private void list(ServerRequest req, ServerResponse res) {
        UUID user = userId(Principal.of(req));
        Json.send(res, Map.of("object", "list", "data", store.list(user).stream().map(ApiKeyStore.KeyRow::view).toList()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        UUID user = userId(Principal.of(req));
        String raw = req.path().pathParameters().get("id");
        UUID id;
        try {
            id = UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no API key " + raw.replaceAll("[^A-Za-z0-9-]", "?"));
        }
        if (!keys.delete(id, user)) {   // someone else's key answers exactly like a missing one
            throw ApiException.notFound("no API key " + id);
        }
        Json.send(res, Map.of("id", id.toString(), "object", "api_key.deleted", "deleted", true));
    }

    private static UUID userId(Principal p) {
        try {
            return UUID.fromString(p.userId());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "auth_disabled", "API keys need auth.enabled: true (there are no users with auth off)");
        }
    }
}
