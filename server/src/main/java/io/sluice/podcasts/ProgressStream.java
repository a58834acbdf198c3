package io.sluice.podcasts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.Json;

/**
 * {@code GET /v1/podcasts/{id}/events}: Server-Sent Events while a podcast is made, from any instance
 * (the worker may run elsewhere, so the stream follows the podcast's row, one primary-key read per
 * poll interval). An {@code event: progress} whenever the status or the count of rendered lines
 * changes, a {@code : ping} comment after a quiet ping interval, and at the end one
 * {@code event: done} carrying the podcast's final state (or {@code event: deleted}); a stream longer
 * than {@code podcasts.events-timeout} ends with {@code event: timeout} and the client reconnects.
 * The caller holds a streaming permit for the stream's life.
 */
final class ProgressStream {
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final int RECONCILE_EVERY = 10;

    private final PodcastSettings settings;

    ProgressStream(PodcastSettings settings) {
        this.settings = settings;
    }

    /**
     * Streams until the podcast finishes or is deleted, or the stream times out.
     *
     * @param row the podcast's row now, empty once deleted: one primary-key read, every poll
     * @param current the same reconciled with its task (a dead-lettered task fails the podcast): every
     *                {@value #RECONCILE_EVERY}th poll, since it costs a second read
     * @param finalView the full view of a finished podcast, for the last event
     */
    void run(UUID id, Function<UUID, Optional<Podcast>> row, Function<UUID, Optional<Podcast>> current,
             Function<Podcast, Map<String, Object>> finalView, ServerResponse res) throws InterruptedException {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        long end = System.nanoTime() + settings.eventsTimeout().toNanos();
        long pingNanos = settings.pingInterval().toNanos();
        try (OutputStream out = res.outputStream()) {
            String last = null;
            long lastWrite = System.nanoTime();
            for (long poll = 0; ; poll++) {
                Optional<Podcast> now = (poll % RECONCILE_EVERY == 0 ? current : row).apply(id);
                if (now.isEmpty()) {
                    write(out, "event: deleted\ndata: " + Json.write(Map.of("id", id.toString(), "deleted", true)) + "\n\n");
                    return;
                }
                Podcast p = now.get();
                if (p.status().finished()) {
                    write(out, "event: done\ndata: " + Json.write(finalView.apply(p)) + "\n\n");
                    return;
                }
                String progress = Json.write(p.progress());
                if (!progress.equals(last)) {
                    write(out, "event: progress\ndata: " + progress + "\n\n");
                    last = progress;
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite >= pingNanos) {
                    out.write(PING);
                    out.flush();
                    lastWrite = System.nanoTime();
                }
                if (System.nanoTime() >= end) {
                    write(out, "event: timeout\ndata: " + progress + "\n\n");
                    return;
                }
                Thread.sleep(settings.pollInterval());
            }
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            // the client went away: nothing to clean up, the podcast goes on
        }
    }

    private static void write(OutputStream out, String event) throws IOException {
        out.write(event.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
