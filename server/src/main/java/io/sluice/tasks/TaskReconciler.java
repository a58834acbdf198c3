package io.sluice.tasks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs the gap between PostgreSQL (the truth) and Redis (the carrier): every interval it
 * re-creates the consumer group if Redis lost it, re-enqueues unfinished tasks whose stream entry
 * is gone or unknown (a Redis restart without persistence, a crash between commit and enqueue; a
 * submitted task's entry is unknown until a worker claims it, so a task still waiting after an
 * interval gets one more entry, a harmless duplicate), trims
 * acknowledged history and refreshes the queue gauges.
 */
final class TaskReconciler implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskReconciler.class);
    private static final int BATCH = 500;

    private final TaskStore store;
    private final TaskQueue queue;
    private final TaskMeters meters;
    private final TaskSettings settings;
    private volatile boolean running = true;

    TaskReconciler(TaskStore store, TaskQueue queue, TaskMeters meters, TaskSettings settings) {
        this.store = store;
        this.queue = queue;
        this.meters = meters;
        this.settings = settings;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try {
                reconcileOnce();
            } catch (RuntimeException e) {
                LOG.warn("task reconciler: {}", e.toString());
            }
            try {
                Thread.sleep(settings.reconcileInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    int reconcileOnce() {
        queue.ensureGroup();
        int requeued = 0;
        for (TaskStore.Lost lost : store.unfinishedOlderThan(settings.reconcileInterval(), settings.visibilityTimeout(), BATCH)) {
            if (lost.streamId() == null || !queue.exists(lost.streamId())) {
                store.recordStreamId(lost.id(), queue.enqueue(lost.id()));
                requeued++;
            }
        }
        if (requeued > 0) {
            LOG.warn("re-enqueued {} task(s) that PostgreSQL has as unfinished but the stream had lost", requeued);
        }
        queue.trim();
        meters.stats(queue.stats());
        return requeued;
    }
}
