package io.sluice.podcasts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import io.sluice.http.Text;
import io.sluice.limits.Admission;
import io.sluice.limits.Permit;
import io.sluice.llm.CallPolicy;
import io.sluice.llm.Completer;
import io.sluice.tasks.Task;
import io.sluice.tasks.Tasks;
import io.sluice.tasks.TasksService;

/**
 * {@code /v1/podcasts}: submit (202 + id; the podcast is made by a task), list the caller's own, read its state, follow its
 * progress (SSE), fetch its audio (Range), delete it (cancelling its making). Another user's podcast
 * answers 404, exactly like a missing one.
 */
public final class PodcastsService implements HttpService {
    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 100;
    private final Podcasts podcasts;
    private final Tasks tasks;
    private final Completer completer;
    private final Admission admission;
    private final ProgressStream progress;

    public PodcastsService(Podcasts podcasts, Tasks tasks, Completer completer, Admission admission) {
        this.podcasts = podcasts;
        this.tasks = tasks;
        this.completer = completer;
        this.admission = admission;
        this.progress = new ProgressStream(podcasts.settings());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/", this::submit)
             .get("/", this::list)
             .get("/{id}", this::get)
             .delete("/{id}", this::delete)
             .get("/{id}/events", this::events)
             .get("/{id}/audio", this::audio)
             .head("/{id}/audio", this::audio);
    }

    private void submit(ServerRequest req, ServerResponse res) {
        String owner = Principal.of(req).userId();
        PodcastRequest r = PodcastRequest.from(Json.readObject(req), podcasts.settings());
        // An unknown model, or one the caller may not use or pay for, is a 4xx now, not a failed podcast later.
        CallPolicy.Admitted admitted = r.topic() != null ? completer.admit(r.chat(), req, res) : CallPolicy.OPEN_CALL;
        UUID id = UUID.randomUUID();
        PodcastStore store = podcasts.store();
        store.create(id, owner, r.json(), r.givenScript(podcasts.settings()));
        Task task;
        try {
            task = TasksService.submit(tasks, req, admitted, Podcasts.KIND, Json.MAPPER.createObjectNode().put("podcast_id", id.toString()));
        } catch (RuntimeException e) {
            store.delete(id);   // the client hears 503 and nothing of this podcast
            throw e;
        }
        store.recordTask(id, task.id());
        res.status(Status.ACCEPTED_202);
        res.header(HeaderNames.LOCATION, "/v1/podcasts/" + id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id.toString());
        body.put("object", "podcast");
        body.put("status", "queued");
        body.put("task_id", task.id().toString());
        body.put("status_url", "/v1/podcasts/" + id);
        body.put("events_url", "/v1/podcasts/" + id + "/events");
        Json.send(res, body);
    }

    /**
     * {@code GET /v1/podcasts?limit=N&after=ID}: the caller's own podcasts (an admin's too: only their own),
     * newest first; the next page starts after the last id of this one. An item's status is as stored:
     * {@code GET /v1/podcasts/{id}} also settles one whose task ended without the worker saying so.
     */
    private void list(ServerRequest req, ServerResponse res) {
        String owner = Principal.of(req).userId();
        int limit = (int) Query.integer(req, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
        UUID after = req.query().first("after").map(PodcastsService::cursor).orElse(null);
        if (after != null && !podcasts.store().owns(owner, after)) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "after: no podcast " + after + " of yours (deleted?); "
                    + "start again without after");
        }
        List<Podcast> page = podcasts.store().page(owner, limit + 1, after);   // one more tells whether there are more
        List<Map<String, Object>> data = page.stream().limit(limit).map(Podcast::summary).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        body.put("has_more", page.size() > limit);
        body.put("first_id", data.isEmpty() ? null : data.getFirst().get("id"));
        body.put("last_id", data.isEmpty() ? null : data.getLast().get("id"));
        Json.send(res, body);
    }

    private static UUID cursor(String v) {
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "after must be a podcast id (a UUID), got '"
                    + Text.clip(v, 40) + "'");
        }
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.send(res, podcasts.view(owned(req)));
    }

    private void events(ServerRequest req, ServerResponse res) throws InterruptedException {
        Podcast p = owned(req);   // before the permit: someone else's podcast is a plain 404
        try (Permit streaming = admission.acquireStream()) {
            progress.run(p.id(), podcasts.store()::find, id -> podcasts.current(id, tasks), podcasts::view, res);
        }
    }

    private void audio(ServerRequest req, ServerResponse res) {
        Podcast p = owned(req);
        if (p.status() != Podcast.Status.SUCCEEDED) {
            throw new ApiException(ErrorCode.PODCAST_NOT_READY, "podcast " + p.id() + " is " + p.status().db()
                    + "; its audio exists once it has succeeded");
        }
        AudioResponse.send(p, podcasts.segments().audio(p.id()), req, res);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Podcast p = owned(req);
        if (p.taskId() != null) {
            tasks.cancel(p.taskId());   // a queued task never starts; a running one stops at its next line
        }
        boolean deleted = podcasts.store().delete(p.id());
        podcasts.segments().deleteAll(p.id());
        if (!deleted) {
            throw PathIds.notFound(ErrorCode.PODCAST_NOT_FOUND, "podcast", p.id());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", p.id().toString());
        body.put("object", "podcast.deleted");
        body.put("deleted", true);
        body.put("cancelled", !p.status().finished());
        Json.send(res, body);
    }

    /** The podcast if it exists and the caller owns it (or is an admin); 404 otherwise, whichever it is. */
    private Podcast owned(ServerRequest req) {
        UUID id = PathIds.uuid(req, ErrorCode.PODCAST_NOT_FOUND, "podcast");
        Principal caller = Principal.of(req);
        return podcasts.current(id, tasks).filter(p -> caller.owns(p.owner()))
                .orElseThrow(() -> PathIds.notFound(ErrorCode.PODCAST_NOT_FOUND, "podcast", id));
    }
}
