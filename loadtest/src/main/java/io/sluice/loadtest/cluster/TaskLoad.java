package io.sluice.loadtest.cluster;

import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tasks submitted through HAProxy (a submission that gets no 202 is tried again, a bounded number of
 * times), and their end counted in PostgreSQL, the truth: one row per acknowledged id.
 */
final class TaskLoad {
    private static final int PER_KEY = 80;   // below the per-client budget, retries included
    private static final String BODY = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"cluster task %d\"}]}";

    final Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    final AtomicInteger refusedTries = new AtomicInteger();
    final AtomicInteger gaveUp = new AtomicInteger();
    volatile String lastRefusal = "";
    private final Cluster c;
    private final List<String> keys;

    TaskLoad(Cluster c, Keys keys, int tasks) throws Exception {
        this.c = c;
        this.keys = keys.fresh((tasks + PER_KEY - 1) / PER_KEY);
    }

    /** Submits {@code count} tasks, {@code concurrency} at a time; {@code onEach} runs after each acknowledgement. */
    void submit(int count, int concurrency, Runnable onEach) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger next = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            int n = next.getAndIncrement();
            Thread.ofVirtual().start(() -> {
                try {
                    submitOne(n);
                    onEach.run();
                } finally {
                    slots.release();
                }
            });
        }
        slots.acquire(concurrency);
        slots.release(concurrency);
    }

    private void submitOne(int n) {
        String key = keys.get(n / PER_KEY % keys.size());
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                HttpResponse<String> r = c.send("POST", c.lb + "/v1/tasks", key, BODY.formatted(n));
                if (r.statusCode() == 202) {
                    String id = Cluster.field(r.body(), "task_id");
                    if (id == null) {
                        lastRefusal = "202 without a task_id: " + r.body();
                        gaveUp.incrementAndGet();
                    } else {
                        acknowledged.add(id);
                    }
                    return;
                }
                if (r.statusCode() >= 400 && r.statusCode() < 500) {   // the check's own mistake, not a fault: no retry
                    gaveUp.incrementAndGet();
                    lastRefusal = r.statusCode() + " " + r.body();
                    return;
                }
            } catch (Exception e) {
                // no answer: tried again below
            }
            refusedTries.incrementAndGet();
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        gaveUp.incrementAndGet();
    }

    /** Waits (bounded) until every acknowledged task has ended; returns status -> count from PostgreSQL. */
    Map<String, Integer> awaitEnd(long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        Map<String, Integer> counts;
        do {
            counts = count();
            int ended = counts.getOrDefault("succeeded", 0) + counts.getOrDefault("failed", 0) + counts.getOrDefault("cancelled", 0);
            if (ended >= acknowledged.size()) {
                return counts;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < end);
        return counts;
    }

    /** status -> rows for the acknowledged ids; "rows" counts them all, "missing" the ids without a row. */
    Map<String, Integer> count() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        UUID[] ids = acknowledged.stream().map(UUID::fromString).toArray(UUID[]::new);
        try (Connection conn = c.pgbouncer(true);
             PreparedStatement ps = conn.prepareStatement("SELECT status, count(*), sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END)"
                     + " FROM tasks WHERE id = ANY(?) GROUP BY status")) {
            Array array = conn.createArrayOf("uuid", ids);
            ps.setArray(1, array);
            int rows = 0;
            int retried = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                    rows += rs.getInt(2);
                    retried += rs.getInt(3);
                }
            }
            counts.put("rows", rows);
            counts.put("missing", ids.length - rows);
            counts.put("ran more than once", retried);
        }
        return counts;
    }

    boolean allSucceededOnce(Map<String, Integer> counts) {
        int n = acknowledged.size();
        return n > 0 && counts.getOrDefault("succeeded", 0) == n && counts.getOrDefault("rows", 0) == n
                && acknowledged.stream().distinct().count() == n;
    }
}
