package io.sluice.podcasts;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.audio.Wav;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.tasks.Task;
import io.sluice.tasks.TaskRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task that makes a podcast: script (unless the client gave one), render the missing lines,
 * join. Every step starts from what PostgreSQL and the disk already hold, so a retry, or another
 * worker taking over from a dead one, resumes where the last attempt stopped: a stored script is not
 * written again and a rendered line (its segment intact on disk) is not rendered again. A podcast
 * deleted meanwhile ends the task quietly and leaves no file behind.
 */
final class PodcastRunner implements TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PodcastRunner.class);
    static final String KIND = "podcast";

    private final PodcastStore store;
    private final Segments segments;
    private final ScriptWriter writer;
    private final LineRenderer renderer;
    private final PodcastSettings settings;
    private final int maxAttempts;

    PodcastRunner(PodcastStore store, Segments segments, ScriptWriter writer, LineRenderer renderer,
                  PodcastSettings settings, int maxAttempts) {
        this.store = store;
        this.segments = segments;
        this.writer = writer;
        this.renderer = renderer;
        this.settings = settings;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public JsonNode run(Task task) throws Failure {
        UUID id = UUID.fromString(task.request().path("podcast_id").asText());
        try {
            return make(id, task);
        } catch (ApiException e) {
            boolean retryable = e.status() >= 500 || e.status() == 429 || e.status() == 408;
            throw failed(id, task, retryable, e.code(), e.getMessage());
        } catch (UncheckedIOException e) {
            LOG.warn("podcast {}: file error ({})", id, e.toString());
            throw failed(id, task, true, ErrorCode.INTERNAL_ERROR.code(), "the podcast's files could not be written");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // the worker is stopping: another one resumes the podcast
            throw failed(id, task, true, ErrorCode.INTERRUPTED.code(), "the worker stopped; the podcast resumes on another");
        }
    }

    /** The script's chat call is charged to the task's owner and key (who submitted the podcast). */
    private JsonNode make(UUID id, Task task) throws InterruptedException {
        Podcast p = store.find(id).orElse(null);
        if (p == null) {
            return gone(id);
        }
        if (p.status().finished()) {
            return result(p.id(), p.status().db());
        }
        List<PodcastStore.LineState> lines = store.lines(id);
        if (lines.isEmpty()) {
            if (!store.status(id, Podcast.Status.SCRIPTING)) {
                return gone(id);
            }
            PodcastRequest r = PodcastRequest.stored(p.request());
            List<ScriptLine> script = writer.write(r.chat(), r.parser(settings), r.lines(), "podcast-" + id,
                                                     task.owner(), task.keyId());
            if (!store.saveScript(id, script)) {
                return gone(id);
            }
            lines = store.lines(id);
        } else if (!store.status(id, Podcast.Status.RENDERING)) {
            return gone(id);
        }
        List<ScriptLine> todo = lines.stream()
                .filter(l -> !l.rendered() || !intact(id, l))
                .map(PodcastStore.LineState::line).toList();
        if (!todo.isEmpty() && !renderer.render(id, todo)) {
            return gone(id);
        }
        if (!store.status(id, Podcast.Status.JOINING)) {
            return gone(id);
        }
        return join(id, store.lines(id));
    }

    private boolean intact(UUID id, PodcastStore.LineState l) {
        if (segments.intact(id, l.line().index(), l.pcmBytes())) {
            return true;
        }
        store.forget(id, l.line().index());   // marked rendered but its file is gone: render it again
        return false;
    }

    private JsonNode join(UUID id, List<PodcastStore.LineState> lines) {
        Wav.Format format = lines.getFirst().format();
        long pcm = 0;
        for (PodcastStore.LineState l : lines) {
            if (!l.rendered()) {
                throw new ApiException(ErrorCode.INTERNAL_ERROR, "line " + l.line().index() + " was not rendered");
            }
            if (!l.format().equals(format)) {
                store.forget(id, l.line().index());   // the retry renders it again, hoping for the first line's format
                throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "TTS answered line " + l.line().index()
                        + " in another audio format (" + l.format() + ") than line 0 (" + format + ")");
            }
            pcm += l.pcmBytes();
        }
        long bytes = segments.join(id, lines.stream().map(l -> l.line().index()).toList(), pcm, format);
        if (!store.succeed(id, Voice.millis(format, pcm), bytes)) {
            return gone(id);
        }
        segments.dropSegments(id);
        return result(id, Podcast.Status.SUCCEEDED.db());
    }

    /** The podcast was deleted while this worker made it: whatever this worker wrote goes too. */
    private JsonNode gone(UUID id) {
        Podcast p = store.find(id).orElse(null);
        if (p == null) {
            segments.deleteAll(id);
            return result(id, "deleted");
        }
        return result(id, p.status().db());   // finished by another worker
    }

    private Failure failed(UUID id, Task task, boolean retryable, String code, String message) {
        JsonNode error = Json.MAPPER.valueToTree(Map.of("code", code, "message", message));
        if (retryable && task.attempts() < maxAttempts) {
            store.retrying(id, error);
        } else if (store.fail(id, error)) {
            segments.dropSegments(id);   // nothing resumes a failed podcast: its segments are garbage
        }
        return new Failure(retryable, code, message);
    }

    private static JsonNode result(UUID id, String status) {
        return Json.MAPPER.valueToTree(Map.of("podcast_id", id.toString(), "status", status));
    }
}
