package io.sluice.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.http.PathIds;

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
            name = Fields.optionalText(Json.readObject(req), "name", 200);
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
        UUID id = PathIds.uuid(req, ErrorCode.API_KEY_NOT_FOUND, "API key");
        if (!keys.delete(id, user)) {   // someone else's key answers exactly like a missing one
            throw PathIds.notFound(ErrorCode.API_KEY_NOT_FOUND, "API key", id);
        }
        Json.send(res, Map.of("id", id.toString(), "object", "api_key.deleted", "deleted", true));
    }

    private static UUID userId(Principal p) {
        try {
            return UUID.fromString(p.userId());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.AUTH_DISABLED, "API keys need auth.enabled: true (there are no users with auth off)");
        }
    }
}
