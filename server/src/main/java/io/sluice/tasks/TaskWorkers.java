package io.sluice.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns this instance's worker loops and the reconciler: starts them, and stops them on shutdown. */
public final class TaskWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskWorkers.class);

    private final List<TaskWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final TaskReconciler reconciler;

    TaskWorkers(TaskStore store, TaskQueue queue, TaskRunner runner, TaskEvents events, TaskMeters meters,
                TaskSettings settings) {
        AtomicLong lastReclaim = new AtomicLong(System.nanoTime() - TaskWorker.RECLAIM_EVERY.toNanos());
        for (int i = 0; i < settings.workerCount(); i++) {
            workers.add(new TaskWorker(store, queue, runner, events, meters, settings, lastReclaim));
        }
        reconciler = new TaskReconciler(store, queue, meters, settings);
    }

    void start(TaskSettings settings) {
        threads.add(Thread.ofVirtual().name("task-reconciler").start(reconciler));
        for (int i = 0; i < workers.size(); i++) {
            threads.add(Thread.ofVirtual().name("task-worker-" + i).start(workers.get(i)));
        }
        LOG.info("{} task worker(s) on stream {} as consumer {} (visibility {} s, max attempts {})",
                 workers.size(), settings.stream(), settings.consumer(), settings.visibilityTimeout().toSeconds(),
                 settings.maxAttempts());
    }

    /** Stops reading new work; a task already running finishes (bounded by its own deadlines) or is reclaimed later. */
    @Override
    public void close() throws InterruptedException {
        workers.forEach(TaskWorker::stop);
        reconciler.stop();
        threads.getFirst().interrupt();          // the reconciler only sleeps between rounds
        for (Thread t : threads) {
            t.join(5000);
            t.interrupt();                       // a task still running fails over to another worker
        }
    }

}
