package io.sluice.loadtest.cluster;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis primary killed (SIGKILL) while tasks and chats run: Sentinel promotes the replica, every
 * instance follows (ready again) within 10 s of the promotion, every acknowledged task ends once, and
 * afterwards pub/sub (a logout seen everywhere), streams (new tasks) and the rate-limit script work.
 */
final class FailoverCheck implements ClusterChecks.Check {
    private static final int TASKS = 240;
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"failover %d\"}]}";

    private final Keys keys;

    FailoverCheck(Keys keys) {
        this.keys = keys;
    }

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        for (int i = 1; i <= c.apps.size(); i++) {
            if (!c.ready(i)) {
                throw new IllegalStateException("instance " + i + " is not ready before the failover");
            }
        }
        int oldPrimary = c.sentinelPrimaryPort();
        TaskLoad load = new TaskLoad(c, keys, TASKS);
        String chatKey = keys.fresh(1).getFirst();
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, Integer> chats = new TreeMap<>();
        Thread chatter = Thread.ofVirtual().start(() -> {
            int n = 0;
            while (running.get() && n < 75) {
                int s = c.status("POST", c.lb + "/v1/chat/completions", chatKey, CHAT.formatted(n++));
                synchronized (chats) {
                    chats.merge(s, 1, Integer::sum);
                }
                sleep(100);
            }
        });
        Thread tasks = Thread.ofVirtual().start(() -> {
            try {
                load.submit(TASKS, 4, () -> sleep(40));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(1500);
        long t0 = System.nanoTime();
        c.signal("redis-primary", true);
        long promotedMs = -1;
        while (System.nanoTime() - t0 < 30_000_000_000L) {
            int p = c.sentinelPrimaryPort();
            if (p > 0 && p != oldPrimary) {
                promotedMs = (System.nanoTime() - t0) / 1_000_000;
                break;
            }
            Thread.sleep(100);
        }
        long[] readyMs = new long[c.apps.size()];
        java.util.Arrays.fill(readyMs, -1);
        long promotedAt = t0 + promotedMs * 1_000_000;
        while (promotedMs >= 0 && System.nanoTime() - promotedAt < 20_000_000_000L
                && java.util.Arrays.stream(readyMs).anyMatch(ms -> ms < 0)) {
            for (int i = 1; i <= readyMs.length; i++) {
                // after the promotion, ready = PostgreSQL and the Redis primary this instance now uses answer
                if (readyMs[i - 1] < 0 && c.ready(i)) {
                    readyMs[i - 1] = (System.nanoTime() - promotedAt) / 1_000_000;
                }
            }
            Thread.sleep(100);
        }
        tasks.join(120_000);
        running.set(false);
        chatter.join(30_000);
        Map<String, Integer> counts = load.awaitEnd(90_000);
        ClusterChecks.Row logout = LogoutEverywhere.check(c, keys, "logout after failover");
        TaskLoad after = new TaskLoad(c, keys, 20);
        after.submit(20, 4, () -> { });
        Map<String, Integer> afterCounts = after.awaitEnd(30_000);
        int limited = c.status("GET", c.lb + "/v1/models", chatKey, null);
        long slowest = java.util.Arrays.stream(readyMs).map(ms -> ms < 0 ? Long.MAX_VALUE : ms).max().orElse(-1);
        boolean pass = promotedMs >= 0 && slowest <= 10_000 && load.acknowledged.size() > 0 && load.allSucceededOnce(counts)
                && logout.pass() && after.allSucceededOnce(afterCounts) && limited == 200;
        return new ClusterChecks.Row("Redis primary killed",
                TASKS + " tasks and up to 75 chats through HAProxy; the Redis primary killed with SIGKILL 1.5 s in; "
                        + "readiness of each instance polled; afterwards a logout, 20 tasks and a rate-limited request",
                "Sentinel promoted the replica after " + promotedMs + " ms; instances ready " + java.util.Arrays.toString(readyMs)
                        + " ms after it; chats " + chats + "; " + load.acknowledged.size() + " tasks acknowledged ("
                        + load.refusedTries.get() + " tries retried, " + load.gaveUp.get() + " given up), PostgreSQL: " + counts
                        + "; after: logout refused everywhere " + (logout.pass() ? "within " + LogoutEverywhere.BOUND_MS + " ms"
                                                         : "NOT within " + LogoutEverywhere.BOUND_MS + " ms: " + logout.saw())
                        + ", 20 new tasks " + afterCounts.getOrDefault("succeeded", 0) + " succeeded, rate-limited GET " + limited,
                pass);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
