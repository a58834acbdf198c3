package io.sluice.tasks;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.http.PathIds;
import io.sluice.http.Query;
import io.sluice.llm.CallPolicy;
import io.sluice.llm.Completer;

/**
 * {@code POST /v1/tasks} (a chat request, run later: 202 with the task id), {@code GET /v1/tasks/{id}}
 * with an optional long poll {@code ?wait=30s}, and {@code DELETE /v1/tasks/{id}} to cancel a queued task.
 */
public final class TasksService implements HttpService {
    private final Tasks tasks;
    private final Completer completer;

    public TasksService(Tasks tasks, Completer completer) {
        this.tasks = tasks;
        this.completer = completer;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::submit)
             .get("/{id}", this::get)
             .delete("/{id}", this::cancel);
    }

    private void submit(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        accepted(res, submit(tasks, req, completer.admit(body, req, res), "chat", body));
    }

    /**
     * Submits a task whose LLM call the request's caller was admitted for (model allow-list, budgets,
     * tokens per minute: refused before anything is stored): the task carries the caller's id and
     * key, so the worker that runs it charges them. The admission's token estimate stays counted in
     * the key's minute; a submit that fails gives it back.
     */
    public static Task submit(Tasks tasks, ServerRequest req, CallPolicy.Admitted admitted, String kind, JsonNode request) {
        Principal caller = Principal.of(req);
        try {
            return tasks.submit(caller.userId(), caller.keyId(), kind, request);
        } catch (RuntimeException e) {
            admitted.settle(null);
            throw e;
        }
    }

    /** 202 with the task's id and where to poll it; shared with the other endpoints that submit tasks. */
    public static void accepted(ServerResponse res, Task task) {
        res.status(Status.ACCEPTED_202);
        res.header(HeaderNames.LOCATION, "/v1/tasks/" + task.id());
        Json.send(res, Map.of("task_id", task.id().toString(),
                              "status", task.status().db(),
                              "status_url", "/v1/tasks/" + task.id()));
    }

    private void get(ServerRequest req, ServerResponse res) throws InterruptedException {
        UUID id = taskId(req);
        Duration waitFor = Query.duration(req, "wait");
        Task owned = owned(req, id);   // checked before any wait: a long poll must not reveal another's task
        Task task = waitFor == null ? owned : tasks.await(id, waitFor).orElse(owned);
        Json.send(res, task.view());
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        UUID id = taskId(req);
        Task current = owned(req, id);
        Task cancelled = tasks.cancel(id).orElseThrow(() -> new ApiException(ErrorCode.TASK_NOT_CANCELLABLE,
                "task " + id + " is " + current.status().db() + "; only a queued task can be cancelled"));
        Json.send(res, cancelled.view());
    }

    /** The task if it exists and the caller owns it (or is an admin); 404 otherwise, whichever it is. */
    private Task owned(ServerRequest req, UUID id) {
        return ownedBy(tasks, Principal.of(req), id);
    }

    public static Task ownedBy(Tasks tasks, Principal caller, UUID id) {
        return tasks.find(id).filter(t -> caller.owns(t.owner())).orElseThrow(() -> PathIds.notFound(ErrorCode.TASK_NOT_FOUND, "task", id));
    }

    public static UUID taskId(ServerRequest req) {
        return PathIds.uuid(req, ErrorCode.TASK_NOT_FOUND, "task");
    }
}
