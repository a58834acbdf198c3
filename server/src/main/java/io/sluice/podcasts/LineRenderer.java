package io.sluice.podcasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * Renders a podcast's missing lines through TTS, at most {@code parallelism} at once: that many
 * virtual threads take lines from one queue. Every call also holds one of this instance's podcast
 * {@code slots} (as many as the TTS bulkhead admits, shared by all podcasts rendering here), so
 * podcasts together never put more calls in flight than the bulkhead's limit and never fill its queue,
 * which stays for {@code /v1/audio/speech} callers; a slot is waited for at most {@code slotTimeout}.
 * Each finished line is on disk and marked in PostgreSQL before the next is taken, which is what a
 * retry resumes from. The first failure stops the others taking new lines; a podcast deleted meanwhile
 * stops them too.
 */
final class LineRenderer {
    private final Voice voice;
    private final Segments segments;
    private final PodcastStore store;
    private final int parallelism;
    private final Semaphore slots;
    private final Duration slotTimeout;

    LineRenderer(Voice voice, Segments segments, PodcastStore store, int parallelism, Semaphore slots, Duration slotTimeout) {
        this.voice = voice;
        this.segments = segments;
        this.store = store;
        this.parallelism = parallelism;
        this.slots = slots;
        this.slotTimeout = slotTimeout;
    }

    /** Renders the lines; false when the podcast went away meanwhile. A TTS failure is rethrown once all have stopped. */
    boolean render(UUID id, List<ScriptLine> todo) throws InterruptedException {
        Queue<ScriptLine> queue = new ConcurrentLinkedQueue<>(todo);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicBoolean gone = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < Math.min(parallelism, todo.size()); i++) {
            threads.add(Thread.ofVirtual().name("podcast-tts-" + i).start(() -> {
                ScriptLine line;
                while (failure.get() == null && !gone.get() && (line = queue.poll()) != null) {
                    try {
                        Voice.Spoken speech = speak(id, line);
                        segments.write(id, line.index(), speech.pcm());
                        if (!store.rendered(id, line.index(), speech.pcm().length, speech.format())) {
                            gone.set(true);
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } catch (InterruptedException e) {
                        failure.compareAndSet(null, ApiException.unavailable(ErrorCode.INTERRUPTED,
                                "the worker stopped while a line waited for TTS", Duration.ofSeconds(1)));
                        return;
                    }
                }
            }));
        }
        try {
            for (Thread t : threads) {
                t.join();   // bounded: each TTS call has its own timeout, and no thread takes a line after a failure
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);   // the worker is stopping: the calls in flight give up
            throw e;
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return !gone.get();
    }

    private Voice.Spoken speak(UUID id, ScriptLine line) throws InterruptedException {
        if (!slots.tryAcquire(slotTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw ApiException.unavailable(ErrorCode.BULKHEAD_TIMEOUT, "no TTS slot for podcasts came free within "
                    + slotTimeout.toSeconds() + " s (podcasts.slot-timeout)", Duration.ofSeconds(5));
        }
        try {
            return voice.speak(line.text(), line.voice(), "podcast-" + id + "-" + line.index());
        } finally {
            slots.release();
        }
    }
}
