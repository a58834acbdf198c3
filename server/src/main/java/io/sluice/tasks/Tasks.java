package io.sluice.tasks;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.cache.Caches;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.infra.Database;
import io.sluice.infra.Redis;
import io.sluice.observe.ServerMeters;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/** The task feature's entry point: submit, look up, wait for, cancel; and the workers when this instance runs them. */
public final class Tasks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);

    private final TaskStore store;
    private final TaskQueue queue;
    private final TaskEvents events = new TaskEvents();
    private final TaskSettings settings;
    private final TaskWorkers workers;
    private final TaskSubmitter submitter;

    public Tasks(Database db, Redis redis, TaskRunner runner, ServerMeters meters, TaskSettings settings, Caches caches,
                 Tracing tracing) {
        this.store = new TaskStore(db, settings.stream(), caches.create("tasks", Task.class, t -> t.status().finished()));
        this.queue = new TaskQueue(redis, settings, tracing);
        this.settings = settings;
        TaskMeters taskMeters = new TaskMeters(meters);
        this.workers = settings.workers() ? new TaskWorkers(store, queue, runner, events, taskMeters, settings) : null;
        queue.ensureGroup();
        this.submitter = settings.api() ? new TaskSubmitter(store, queue) : null;
        if (workers != null) {
            workers.start(settings);
        }
    }

    public TaskSettings settings() {
        return settings;
    }

    /**
     * Stores the task (already 'queued'; {@code owner} and {@code keyId}, null for a login token, pay
     * for its LLM call wherever a worker runs it), then puts its id on the stream: two round trips. When Redis
     * refuses, the row is removed and the caller gets 503: no task the client never heard of stays queued.
     * <p>
     * Why no acknowledged task can be lost: the caller hears of the task only after the row is
     * committed as 'queued' and XADD has returned. The entry's id is not written back here (that
     * was a third round trip); the worker's claim records it. So a queued row with no stream_id is
     * either waiting in the stream, or its entry was lost with Redis — and the reconciler re-enqueues
     * every queued task untouched for a reconcile interval whose entry is unknown or gone, recording
     * the new entry. The cost is at most one duplicate entry for a task that waits longer than the
     * reconcile interval; a duplicate is harmless, since claiming is one guarded UPDATE and a worker
     * acknowledges an entry that does not carry a live task (TaskStore's invariant).
     * <p>
     * On an instance that serves the API the two round trips are shared: {@link TaskSubmitter} stores
     * all waiting submits in one INSERT and XADDs them in one pipeline, under the same invariant.
     */
    public Task submit(String owner, String keyId, String kind, JsonNode request) {
        if (submitter != null) {
            try {
                return submitter.submit(owner, keyId, kind, request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable(ErrorCode.QUEUE_UNAVAILABLE, "the task submit was interrupted; retry later",
                                               Duration.ofSeconds(1));
            }
        }
        Task task = store.insert(owner, keyId, kind, request);
        try {
            queue.enqueue(task.id());
        } catch (JedisException e) {
            store.delete(task.id());
            LOG.warn("task submit refused: redis unavailable ({})", e.toString());
            throw ApiException.unavailable(ErrorCode.QUEUE_UNAVAILABLE, "the task queue is not available; retry later",
                                           Duration.ofSeconds(5));
        }
        return task;
    }

    /** A poll: a finished task comes from the two-level cache; an unfinished one may lag by database.replica-max-lag. */
    public Optional<Task> find(UUID id) {
        return store.findForPoll(id);
    }

    /** Waits (bounded by tasks.max-wait) until the task has finished, then returns its latest state. */
    public Optional<Task> await(UUID id, Duration wait) throws InterruptedException {
        Duration bounded = wait.compareTo(settings.maxWait()) > 0 ? settings.maxWait() : wait;
        events.await(id, bounded, () -> store.find(id).map(t -> t.status().finished()).orElse(true));
        return store.findForPoll(id);
    }

    public Optional<Task> cancel(UUID id) {
        Optional<Task> cancelled = store.cancel(id);
        cancelled.ifPresent(t -> events.finished(id));
        return cancelled;
    }

    @Override
    public void close() throws InterruptedException {
        if (submitter != null) {
            submitter.close();
        }
        if (workers != null) {
            workers.close();
        }
    }
}
