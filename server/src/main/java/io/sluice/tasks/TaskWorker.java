package io.sluice.tasks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;
import io.sluice.tracing.TraceSpan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One worker loop on a virtual thread: read a task id from the stream, claim the task row, run it
 * with heartbeats, commit the outcome, then acknowledge. A crash at any point leaves either an
 * unacknowledged entry (reclaimed after the visibility timeout) or a queued row (re-enqueued by the
 * reconciler); the guarded UPDATEs make a second run of a finished task impossible.
 */
final class TaskWorker implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskWorker.class);
    private static final Duration BLOCK = Duration.ofSeconds(2);
    /**
     * How often this instance looks for entries to take over: as often as one idle worker did before
     * (every {@link #BLOCK}), but once for all its workers, not once per worker (10 workers made
     * 5 XAUTOCLAIMs a second on an idle server). A dead worker's entry is still taken over within
     * visibility-timeout plus this; after a reclaim that found one, the next idle worker looks again
     * at once, so a crashed instance's backlog is taken over no slower than before.
     */
    static final Duration RECLAIM_EVERY = BLOCK;

    private final TaskStore store;
    private final TaskQueue queue;
    private final TaskRunner runner;
    private final TaskEvents events;
    private final TaskMeters meters;
    private final TaskSettings settings;
    private final AtomicLong lastReclaim;   // shared by this instance's workers
    private volatile boolean running = true;

    TaskWorker(TaskStore store, TaskQueue queue, TaskRunner runner, TaskEvents events, TaskMeters meters,
               TaskSettings settings, AtomicLong lastReclaim) {
        this.store = store;
        this.queue = queue;
        this.runner = runner;
        this.events = events;
        this.meters = meters;
        this.settings = settings;
        this.lastReclaim = lastReclaim;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try {
                List<TaskQueue.Delivery> deliveries = queue.read(BLOCK);
                if (deliveries.isEmpty() && reclaimTurn()) {
                    // Idle: take over entries whose worker died, this consumer's own from before a restart included.
                    deliveries = queue.reclaim(1);
                    if (!deliveries.isEmpty()) {
                        // There may be more (a crashed instance's backlog): the next idle worker looks at once.
                        lastReclaim.set(System.nanoTime() - RECLAIM_EVERY.toNanos());
                    }
                }
                deliveries.forEach(this::handle);
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                    queue.ensureGroup();                 // Redis came back empty
                } else {
                    pause("redis refused a stream command: " + e.getMessage());
                }
            } catch (RuntimeException e) {
                if (running) {
                    pause("task worker error: " + e);
                }
            }
        }
    }

    /** True for one idle worker per {@link #RECLAIM_EVERY}. */
    private boolean reclaimTurn() {
        long now = System.nanoTime();
        long last = lastReclaim.get();
        return now - last >= RECLAIM_EVERY.toNanos() && lastReclaim.compareAndSet(last, now);
    }

    private void handle(TaskQueue.Delivery d) {

        if (d.taskId() == null) {
            queue.ack(d.entryId());
            return;
        }
        Optional<Task> claimed = store.claim(d.taskId(), d.entryId().toString(), settings.consumer(), settings.visibilityTimeout());
        if (claimed.isEmpty()) {
            if (!store.isLiveUnder(d.taskId(), d.entryId().toString())) {
                queue.ack(d.entryId());  // finished, cancelled, or a duplicate entry of a task running elsewhere
            }
            return;                      // else its live worker acknowledges this entry when it is done
        }
        Task task = claimed.get();
        if (task.attempts() > settings.maxAttempts()) {
            deadLetter(task, d, "gave up after " + (task.attempts() - 1) + " attempts without an outcome");
            return;
        }
        long start = System.nanoTime();
        Thread heartbeat = Thread.ofVirtual().name("task-heartbeat").start(() -> heartbeat(task, d));
        try (TraceSpan span = queue.runSpan(d)) {   // TraceSpan.NOOP when tracing is off
            JsonNode result = runner.run(task);
            if (store.succeed(task.id(), settings.consumer(), result)) {
                meters.finished("succeeded", System.nanoTime() - start);
            }
        } catch (TaskRunner.Failure f) {
            failed(task, d, f, System.nanoTime() - start);
        } catch (RuntimeException e) {
            LOG.error("task {} crashed its runner", task.id(), e);
            failed(task, d, new TaskRunner.Failure(true, ErrorCode.INTERNAL_ERROR.code(), "the task runner failed"), System.nanoTime() - start);
        } finally {
            heartbeat.interrupt();
        }
        queue.ack(d.entryId());
        events.finished(task.id());
    }

    private void failed(Task task, TaskQueue.Delivery d, TaskRunner.Failure f, long nanos) {
        JsonNode error = Json.MAPPER.valueToTree(Map.of("code", f.code(), "message", f.getMessage()));
        if (f.retryable() && task.attempts() < settings.maxAttempts()) {
            if (store.requeue(task.id(), settings.consumer(), error)) {
                meters.finished("retried", nanos);
                Duration backoff = settings.retryBackoff().multipliedBy(task.attempts());
                Thread.ofVirtual().name("task-retry").start(() -> enqueueLater(task, backoff));
            }
            return;
        }
        if (f.retryable()) {
            queue.deadLetter(task.id(), task.attempts(), f.code() + ": " + f.getMessage());
            meters.deadLettered();
        }
        if (store.fail(task.id(), settings.consumer(), error)) {
            meters.finished("failed", nanos);
        }
    }

    private void deadLetter(Task task, TaskQueue.Delivery d, String reason) {
        queue.deadLetter(task.id(), task.attempts(), reason);
        meters.deadLettered();
        store.fail(task.id(), settings.consumer(), Json.MAPPER.valueToTree(Map.of("code", "max_attempts", "message", reason)));
        meters.finished("failed", 0);
        queue.ack(d.entryId());
        events.finished(task.id());
    }

    /** A crash during the backoff leaves the row queued without an entry: the reconciler enqueues it. */
    private void enqueueLater(Task task, Duration backoff) {
        try {
            Thread.sleep(backoff);
            store.recordStreamId(task.id(), queue.enqueue(task.id()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("task {}: re-enqueue failed ({}); the reconciler will retry", task.id(), e.toString());
        }
    }

    private void heartbeat(Task task, TaskQueue.Delivery d) {
        Duration every = settings.visibilityTimeout().dividedBy(3);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(every);
                queue.heartbeat(d.entryId());
                store.heartbeat(task.id(), settings.consumer());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("task {}: heartbeat failed ({})", task.id(), e.toString());
            }
        }
    }

    private void pause(String why) {
        LOG.warn("{}; retrying in 1 s", why);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
