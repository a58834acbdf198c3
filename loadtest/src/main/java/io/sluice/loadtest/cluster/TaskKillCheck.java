package io.sluice.loadtest.cluster;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** 1,000 tasks through the balancer, one instance killed with SIGKILL half-way: each ends succeeded, once. */
final class TaskKillCheck implements ClusterChecks.Check {
    private static final int TASKS = 1000;
    private static final int VICTIM = 2;

    private final Keys keys;

    TaskKillCheck(Keys keys) {
        this.keys = keys;
    }

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        TaskLoad load = new TaskLoad(c, keys, TASKS);
        AtomicInteger done = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        long t0 = System.nanoTime();
        load.submit(TASKS, 16, () -> {
            if (done.incrementAndGet() == TASKS / 2 && killed.compareAndSet(false, true)) {
                try {
                    c.signal("sluice-" + VICTIM, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        double submitS = (System.nanoTime() - t0) / 1e9;
        Thread restart = Thread.ofVirtual().start(() -> {
            try {
                c.restart(VICTIM);
            } catch (Exception e) {
                System.err.println("restart of instance " + VICTIM + " failed: " + e);
            }
        });
        Map<String, Integer> counts = load.awaitEnd(120_000);
        double endS = (System.nanoTime() - t0) / 1e9;
        restart.join(200_000);
        boolean pass = killed.get() && load.acknowledged.size() == TASKS && load.allSucceededOnce(counts);
        return new ClusterChecks.Row("tasks survive kill -9",
                TASKS + " POST /v1/tasks through HAProxy (16 at a time), instance " + VICTIM + " killed with SIGKILL after "
                        + TASKS / 2 + " acknowledgements, then restarted; ends counted in PostgreSQL",
                load.acknowledged.size() + " acknowledged in " + String.format("%.1f", submitS) + " s (" + load.refusedTries.get()
                        + " tries not acknowledged, retried; " + load.gaveUp.get() + " given up" + (load.lastRefusal.isEmpty() ? "" : ", last: " + load.lastRefusal) + "); PostgreSQL after "
                        + String.format("%.1f", endS) + " s: " + counts, pass);
    }
}
