package io.sluice.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * {@code /api/keys}: create (the key is in this answer only), list, read one, update and revoke API keys. A
 * user manages their own keys and may give a new one a scope (models, expiry, rpm, tpm, metadata,
 * budget); widening or changing a scope afterwards ({@code PATCH}), and creating, listing or
 * deleting another user's keys ({@code user_id}), is for admins.
 */
public final class KeysService implements HttpService {
    private final ApiKeys keys;
    private final ApiKeyStore store;
    private final BudgetEditor budgets;

    public KeysService(ApiKeys keys, ApiKeyStore store, BudgetEditor budgets) {
        this.keys = keys;
        this.store = store;
        this.budgets = budgets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
             .get("/", this::list)
             .get("/{id}", this::get)
             .patch("/{id}", this::update)
             .delete("/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        UUID user = userId(caller);
        String name = null;
        ApiKeyStore.Scope scope = ApiKeyStore.Scope.NONE;
        JsonNode budget = null;
        if (req.content().hasEntity()) {
            JsonNode body = Json.readObject(req);
            name = Fields.optionalText(body, "name", 200);
            scope = KeyFields.scope(body);
            budget = body.get("budget");
            budgets.validate(budget);
            String owner = Fields.optionalText(body, "user_id", 64);
            if (owner != null) {
                if (!caller.admin()) {
                    throw new ApiException(ErrorCode.ADMIN_REQUIRED, "user_id: creating a key for another user is for admins only");
                }
                user = uuid(owner, "user_id");
            }
        }
        ApiKeys.Created created;
        try {
            created = keys.create(user, name, scope);
        } catch (io.sluice.infra.Database.DatabaseException e) {
            if (e.getCause() instanceof java.sql.SQLException s && "23503".equals(s.getSQLState())) {   // foreign key: no such user
                throw ApiException.notFound(ErrorCode.USER_NOT_FOUND, "user_id: no user " + user);
            }
            throw e;
        }
        budgets.set(subject(created.row().id()), budget);
        Map<String, Object> json = view(created.row());
        json.put("key", created.key());
        json.put("note", "store this key now: it is not shown again");
        res.status(Status.CREATED_201);
        Json.send(res, json);
    }

    /** The caller's keys; an admin may ask for one user's ({@code ?user_id=}) or everyone's ({@code ?all=true}). */
    private void list(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        String owner = req.query().first("user_id").orElse(null);
        boolean all = io.sluice.http.Query.flag(req, "all", false);
        if ((owner != null || all) && !caller.admin()) {
            throw new ApiException(ErrorCode.ADMIN_REQUIRED, "listing other users' keys is for admins only");
        }
        List<ApiKeyStore.KeyRow> rows = all ? store.listAll()
                : store.list(owner != null ? uuid(owner, "user_id") : userId(caller));
        Json.send(res, Map.of("object", "list", "data", rows.stream().map(this::view).toList()));
    }

    /** One key as the list shows it (never its secret): the caller's own, any for an admin; someone else's is a 404. */
    private void get(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        UUID id = PathIds.uuid(req, ErrorCode.API_KEY_NOT_FOUND, "API key");   // not a UUID: as missing, like PATCH and DELETE
        UUID owner = caller.admin() ? null : userId(caller);
        ApiKeyStore.KeyRow row = store.find(id)
                .filter(k -> owner == null || k.userId().equals(owner))
                .orElseThrow(() -> PathIds.notFound(ErrorCode.API_KEY_NOT_FOUND, "API key", id));   // someone else's: as missing
        Json.send(res, view(row));
    }

    /** Admins: name, scope, metadata, budget or {@code disabled}; a field sent as null clears it. */
    private void update(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "changing an API key");
        UUID id = PathIds.uuid(req, ErrorCode.API_KEY_NOT_FOUND, "API key");
        JsonNode body = Json.readObject(req);
        ApiKeyStore.Change change = KeyFields.change(body);
        JsonNode budget = body.get("budget");
        budgets.validate(budget);
        ApiKeyStore.KeyRow row = keys.update(id, change)
                .orElseThrow(() -> PathIds.notFound(ErrorCode.API_KEY_NOT_FOUND, "API key", id));
        if (body.has("budget")) {
            budgets.set(subject(id), budget);
        }
        Json.send(res, view(row));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        UUID id = PathIds.uuid(req, ErrorCode.API_KEY_NOT_FOUND, "API key");
        if (!keys.delete(id, caller.admin() ? null : userId(caller), caller.admin())) {
            throw PathIds.notFound(ErrorCode.API_KEY_NOT_FOUND, "API key", id);   // someone else's key answers like a missing one
        }
        budgets.set(subject(id), null);
        Json.send(res, Map.of("id", id.toString(), "object", "api_key.deleted", "deleted", true));
    }

    private Map<String, Object> view(ApiKeyStore.KeyRow row) {
        Map<String, Object> m = new LinkedHashMap<>(row.view());
        m.put("budget", budgets.view(subject(row.id())));
        return m;
    }

    static String subject(UUID keyId) {
        return "key:" + keyId;
    }

    private static UUID uuid(String raw, String field) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, field + ": must be a user id (a UUID)");
        }
    }

    private static UUID userId(Principal p) {
        try {
            return UUID.fromString(p.userId());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.AUTH_DISABLED, "API keys need auth.enabled: true (there are no users with auth off)");
        }
    }
}
