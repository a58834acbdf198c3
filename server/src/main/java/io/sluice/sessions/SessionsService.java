package io.sluice.sessions;

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
import io.sluice.auth.Principal;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;
import io.sluice.http.PathIds;
import io.sluice.http.Query;
import io.sluice.llm.ModelCatalog;
import io.sluice.tasks.Tasks;
import io.sluice.tasks.TasksService;

/**
 * Conversation sessions under /v1/sessions: create ({@code POST /v1/sessions}, and the seed's
 * {@code POST /v1/sessions/create}), read, delete, page through messages, and chat
 * ({@code POST /v1/sessions/{id}/chat}, see {@link SessionChat}).
 */
public final class SessionsService implements HttpService {
    private static final int MAX_USER = 200;
    private static final int MAX_TITLE = 500;
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 200;

    private final SessionStore store;
    private final ModelCatalog catalog;
    private final SessionChat chat;
    private final Tasks tasks;
    private final String defaultModel;
    private final int maxPromptChars;

    /** The task kind of an asynchronous session chat turn. */
    public static final String SESSION_CHAT = "session_chat";

    public SessionsService(SessionStore store, ModelCatalog catalog, SessionChat chat, Tasks tasks,
                           String defaultModel, int maxPromptChars) {
        this.store = store;
        this.catalog = catalog;
        this.chat = chat;
        this.tasks = tasks;
        this.defaultModel = defaultModel;
        this.maxPromptChars = maxPromptChars;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::create)
             .post("/create", this::create)
             .get("/{id}", this::get)
             .delete("/{id}", this::delete)
             .get("/{id}/messages", this::messages)
             .post("/{id}/chat", this::chat);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Principal caller = Principal.of(req);
        JsonNode body = Json.readObject(req);
        String user = Fields.optionalText(body, "user", MAX_USER);   // a display name; the owner is the caller
        user = user == null || user.isBlank() ? caller.username() : user;
        String title = Fields.optionalText(body, "title", MAX_TITLE);
        String systemPrompt = Fields.optionalText(body, "system_prompt", maxPromptChars);
        String model = Fields.optionalText(body, "model", 128);
        model = model == null || model.isBlank() ? defaultModel : model;
        catalog.require(model);
        Session s = store.create(caller.userId(), user, title, systemPrompt, model);
        Map<String, Object> json = new LinkedHashMap<>(s.toJson());
        json.put("session_id", s.id().toString());   // the seed's field name
        res.status(Status.CREATED_201);
        Json.send(res, json);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.send(res, load(req).toJson());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        UUID id = load(req).id();   // ownership first: someone else's session is not found
        if (!store.delete(id)) {
            throw PathIds.notFound(ErrorCode.SESSION_NOT_FOUND, "session", id);
        }
        Json.send(res, Map.of("id", id.toString(), "object", "chat.session.deleted", "deleted", true));
    }

    /** {@code ?limit=N&before=ID}: the newest page first; older pages with before = the page's first_id. */
    private void messages(ServerRequest req, ServerResponse res) {
        Session s = load(req);
        int limit = (int) Query.integer(req, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        Long before = req.query().contains("before") ? Query.integer(req, "before", 0, 1, Long.MAX_VALUE) : null;
        SessionStore.Page page = store.page(s.id(), limit, before);
        List<Map<String, Object>> data = page.messages().stream().map(Message::toJson).toList();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("object", "list");
        json.put("data", data);
        json.put("has_more", page.hasMore());
        json.put("first_id", page.messages().isEmpty() ? null : page.messages().getFirst().id());
        json.put("last_id", page.messages().isEmpty() ? null : page.messages().getLast().id());
        Json.send(res, json);
    }

    /**
     * A streamed chat answers here and now. A non-streamed one runs as a task (202 + task id) when
     * {@code llm.async-default} is on, unless the caller asks {@code ?sync=true}.
     */
    private void chat(ServerRequest req, ServerResponse res) {
        Session session = load(req);
        JsonNode body = Json.readObject(req);
        boolean streamed = SessionChat.streamed(body);
        boolean sync = Query.flag(req, "sync", !tasks.settings().asyncDefault());
        if (streamed || sync) {
            chat.chat(session, body, req, res);
            return;
        }
        SessionChat.Accepted turn = chat.accept(session, body, req, res);
        TasksService.accepted(res, TasksService.submit(tasks, req, turn.admitted(), SESSION_CHAT, turn.task()));
    }

    private Session load(ServerRequest req) {
        UUID id = PathIds.uuid(req, ErrorCode.SESSION_NOT_FOUND, "session");
        Principal caller = Principal.of(req);
        return store.find(id).filter(s -> caller.owns(s.owner()))
                .orElseThrow(() -> PathIds.notFound(ErrorCode.SESSION_NOT_FOUND, "session", id));
    }
}
