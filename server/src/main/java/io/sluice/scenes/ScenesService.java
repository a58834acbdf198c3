package io.sluice.scenes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.http.Query;
import io.sluice.http.RequestId;
import io.sluice.llm.CallPolicy;
import io.sluice.llm.ChatRequest;
import io.sluice.llm.Completer;
import io.sluice.tasks.Tasks;
import io.sluice.tasks.TasksService;

/**
 * The seed's prompt scenes under /api/llmchat: CRUD for templates (scenes are global, so creating,
 * replacing and deleting one is for admins; anyone signed in may list, read and call them), and
 * {@code POST /prompts/{scene}/api} which renders a template with the caller's variables and runs it
 * as a task (202 + task id; poll {@code GET /tasks/{id}}) or, with {@code ?sync=true} or
 * {@code llm.async-default: false}, answers with the completion directly.
 */
public final class ScenesService implements HttpService {
    private static final int MAX_TEMPLATE = 100_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private final SceneStore store;
    private final Tasks tasks;
    private final Completer completer;

    public ScenesService(SceneStore store, Tasks tasks, Completer completer) {
        this.store = store;
        this.tasks = tasks;
        this.completer = completer;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/prompts", this::create)
             .get("/prompts", (req, res) -> Json.send(res, Map.of("data", store.list().stream().map(ScenesService::view).toList())))
             .get("/prompts/{scene}", (req, res) -> Json.send(res, view(find(req))))
             .put("/prompts/{scene}", this::replace)
             .delete("/prompts/{scene}", this::delete)
             .post("/prompts/{scene}/api", this::call)
             .get("/tasks/{id}", this::task);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "creating a prompt scene");
        JsonNode body = Json.readObject(req);
        Scene scene = parse(Fields.requiredText(body, "scene", 1000), body);
        if (store.find(scene.scene()).isPresent()) {
            throw new ApiException(ErrorCode.SCENE_EXISTS, "scene '" + scene.scene() + "' exists; use PUT to replace it");
        }
        res.status(Status.CREATED_201);
        Json.send(res, view(store.upsert(scene)));
    }

    private void replace(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "replacing a prompt scene");
        Json.send(res, view(store.upsert(parse(sceneName(req), Json.readObject(req)))));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Principal.admin(req, "deleting a prompt scene");
        if (!store.delete(sceneName(req))) {
            throw ApiException.notFound(ErrorCode.SCENE_NOT_FOUND, "no scene '" + sceneName(req) + "'");
        }
        Json.send(res, Map.of("scene", sceneName(req), "deleted", true));
    }

    private void call(ServerRequest req, ServerResponse res) {
        Scene scene = find(req);
        JsonNode body = Json.readObject(req);
        JsonNode vars = body.has("variables") ? Fields.optionalObject(body, "variables") : body;
        if (vars == null) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "variables: required, a JSON object of names to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        vars.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText()
                                                                                             : e.getValue().toString()));
        JsonNode chat = chatRequest(scene, new Template(scene.template()).render(values));
        boolean sync = Query.flag(req, "sync", !tasks.settings().asyncDefault());
        ChatRequest checked = completer.validate(chat);   // 400/404, then 403/429: before any work
        CallPolicy.Admitted admitted = completer.admit(checked, req, res);
        if (sync) {
            Json.send(res, completer.complete(checked, RequestId.of(req), admitted));
            return;
        }
        TasksService.accepted(res, TasksService.submit(tasks, req, admitted, "scene:" + scene.scene(), chat));
    }

    private void task(ServerRequest req, ServerResponse res) {
        var id = TasksService.taskId(req);
        Json.send(res, TasksService.ownedBy(tasks, Principal.of(req), id).view());
    }

    static JsonNode chatRequest(Scene scene, String prompt) {
        ObjectNode chat = scene.params() != null && scene.params().isObject()
                ? ((ObjectNode) scene.params()).deepCopy() : Json.MAPPER.createObjectNode();
        chat.put("model", scene.model());
        chat.put("stream", false);
        ArrayNode messages = chat.putArray("messages");
        if (scene.system() != null && !scene.system().isBlank()) {
            messages.addObject().put("role", "system").put("content", scene.system());
        }
        messages.addObject().put("role", "user").put("content", prompt);
        return chat;
    }

    private Scene find(ServerRequest req) {
        String name = sceneName(req);
        return store.find(name).orElseThrow(() -> ApiException.notFound(ErrorCode.SCENE_NOT_FOUND, "no scene '" + name + "'"));
    }

    private static String sceneName(ServerRequest req) {
        return validName(req.path().pathParameters().get("scene"));
    }

    private static String validName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest(ErrorCode.INVALID_SCENE, "scene names are 1-100 letters, digits, '_', '-' or '.'");
        }
        return name;
    }

    private static Scene parse(String name, JsonNode body) {
        validName(name);
        if (body.path("template").isTextual() && body.get("template").asText().length() > MAX_TEMPLATE) {
            throw ApiException.badRequest(ErrorCode.TEMPLATE_TOO_LARGE, "template is over " + MAX_TEMPLATE + " characters");
        }
        String template = Fields.requiredText(body, "template", MAX_TEMPLATE);
        JsonNode params = Fields.optionalObject(body, "params");
        return new Scene(name, template, Fields.optionalText(body, "system", MAX_TEMPLATE), Fields.requiredText(body, "model", 128),
                         params != null ? params : Json.MAPPER.createObjectNode());
    }


    private static Map<String, Object> view(Scene s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scene", s.scene());
        m.put("template", s.template());
        m.put("system", s.system());
        m.put("model", s.model());
        m.put("params", s.params());
        m.put("variables", new Template(s.template()).variables());
        return m;
    }
}
