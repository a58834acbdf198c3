package io.sluice.podcasts;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;

import io.sluice.infra.Database;
import io.sluice.llm.Completer;
import io.sluice.tasks.Task;
import io.sluice.tasks.TaskRunner;
import io.sluice.tasks.Tasks;

/**
 * The podcast feature's parts that exist before the task system does: the store, the files and the
 * task runner (registered in the task dispatcher under {@value PodcastRunner#KIND}).
 * {@link PodcastsService} adds the HTTP API once {@link Tasks} is running.
 */
public final class Podcasts {
    /** The task kind of a podcast's production. */
    public static final String KIND = PodcastRunner.KIND;

    private final PodcastSettings settings;
    private final PodcastStore store;
    private final Segments segments;
    private final PodcastRunner runner;

    /**
     * @param ttsConcurrency the TTS bulkhead's max-concurrent: lines render at most this many at once
     * @param maxAttempts tasks.max-attempts: a failure on the last attempt marks the podcast failed
     */
    public Podcasts(PodcastSettings settings, Database db, Completer completer, Voice voice, int ttsConcurrency,
                    int maxAttempts) {
        this.settings = settings;
        this.store = new PodcastStore(db);
        this.segments = new Segments(settings.dir());
        this.runner = new PodcastRunner(store, segments, new ScriptWriter(completer),
                                        new LineRenderer(voice, segments, store, settings.parallelism(ttsConcurrency),
                                                         new Semaphore(Math.max(1, ttsConcurrency), true), settings.slotTimeout()),
                                        settings, maxAttempts);
    }

    public TaskRunner runner() {
        return runner;
    }

    PodcastSettings settings() {
        return settings;
    }

    PodcastStore store() {
        return store;
    }

    Segments segments() {
        return segments;
    }

    /**
     * The podcast as a client sees it: one whose task failed for good without the runner saying so
     * (dead-lettered after workers died in it, or cancelled while queued) is failed with the task's error.
     */
    Optional<Podcast> current(UUID id, Tasks tasks) {
        Optional<Podcast> found = store.find(id);
        if (found.isEmpty() || found.get().status().finished() || found.get().taskId() == null) {
            return found;
        }
        Podcast p = found.get();
        Optional<Task> task = tasks.find(p.taskId());
        if (task.isPresent() && task.get().status().finished() && task.get().status() != Task.Status.SUCCEEDED) {
            var error = task.get().error() != null ? task.get().error()
                    : io.sluice.http.Json.MAPPER.valueToTree(Map.of("code", "task_" + task.get().status().db(),
                                                                    "message", "the podcast's task was " + task.get().status().db()));
            store.fail(id, error);
            return Optional.of(p.failedWith(error));
        }
        return found;
    }

    /** The full view: the podcast with its script lines. */
    Map<String, Object> view(Podcast p) {
        List<Map<String, Object>> script = store.lines(p.id()).stream().map(l -> l.line().view(l.rendered())).toList();
        return p.view(script);
    }
}
