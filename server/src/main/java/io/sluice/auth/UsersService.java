package io.sluice.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.http.PathIds;

/**
 * {@code /api/users}, admins only: list users, change a user's role or disable them, delete them.
 * Every change is applied to the caches of every instance within a second ({@link UserStates}):
 * a deleted or disabled user's tokens and keys get 401, a demoted admin's 403 on admin routes.
 * An admin cannot demote, disable or delete themselves (no locking the last admin out by accident).
 */
public final class UsersService implements HttpService {
    private final UserStore users;
    private final Credentials credentials;

    private final BudgetEditor budgets;

    public UsersService(UserStore users, Credentials credentials, BudgetEditor budgets) {
        this.users = users;
        this.credentials = credentials;
        this.budgets = budgets;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
             .patch("/{id}", this::update)
             .delete("/{id}", this::delete);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "listing users");
        Json.send(res, Map.of("object", "list", "data", users.list().stream().map(UsersService::view).toList()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        UUID id = target(req, "changing a user");
        JsonNode body = Json.readObject(req);
        Principal.Role role = null;
        if (body.has("role")) {
            String r = body.get("role").asText("");
            if (!r.equals("admin") && !r.equals("user")) {
                throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "role: 'admin' or 'user'");
            }
            role = r.equals("admin") ? Principal.Role.ADMIN : Principal.Role.USER;
        }
        Boolean disabled = null;
        if (body.has("disabled")) {
            if (!body.get("disabled").isBoolean()) {
                throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "disabled: true or false");
            }
            disabled = body.get("disabled").asBoolean();
        }
        boolean budget = body.has("budget");
        if (role == null && disabled == null && !budget) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "role, disabled or budget: at least one is required");
        }
        budgets.validate(body.get("budget"));
        UserStore.User user = users.update(id, role, disabled).orElseThrow(() -> notFound(id));
        if (budget) {
            budgets.set("user:" + id, body.get("budget"));   // spend caps of all the user's keys and tokens together
        }
        credentials.userChanged(id);
        Map<String, Object> json = new java.util.LinkedHashMap<>(view(user));
        json.put("budget", budgets.view("user:" + id));
        Json.send(res, json);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        UUID id = target(req, "deleting a user");
        if (!users.delete(id)) {
            throw notFound(id);
        }
        credentials.userChanged(id);
        Json.send(res, Map.of("id", id.toString(), "object", "user.deleted", "deleted", true));
    }

    /** The user the path names, after checking the caller is an admin acting on someone else. */
    private static UUID target(ServerRequest req, String what) {
        Principal caller = Principal.admin(req, what);
        UUID id = PathIds.uuid(req, ErrorCode.USER_NOT_FOUND, "user");
        if (id.toString().equals(caller.userId())) {
            throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "admins cannot change or delete their own account here");
        }
        return id;
    }

    private static ApiException notFound(UUID id) {
        return PathIds.notFound(ErrorCode.USER_NOT_FOUND, "user", id);
    }

    private static Map<String, Object> view(UserStore.User u) {
        Map<String, Object> m = new LinkedHashMap<>(u.principal().view());
        m.put("disabled", u.disabled());
        return m;
    }
}
