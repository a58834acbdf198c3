package io.sluice.loadtest.cluster;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An instance stopped with SIGTERM while streams run: HAProxy marks it down and sends it nothing new
 * (a request it refuses while draining is retried elsewhere), its streams finish, no client sees an error.
 */
final class DrainCheck implements ClusterChecks.Check {
    private static final int STREAMS = 15;   // 5 per instance: well inside bulkheads.llm.max-concurrent (10)
    private static final int VICTIM = 3;
    private static final String STREAM = "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"drain %d\"}]}";
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"side %d\"}]}";

    private final Keys keys;

    DrainCheck(Keys keys) {
        this.keys = keys;
    }

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        List<String> k = keys.fresh(5);   // streams, then one user per chat client: at most 80 chats each, inside the budget of 100
        Map<String, Integer> streams = new ConcurrentHashMap<>();
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            int n = i;
            running.add(Thread.ofVirtual().start(() -> streams.merge(stream(c, k.get(0), n), 1, Integer::sum)));
            Thread.sleep(10);
        }
        Thread.sleep(500);   // every stream under way, a third of them on the victim
        long t0 = System.nanoTime();
        ProcessHandle victim = c.signal("sluice-" + VICTIM, false);
        long[] downAfterMs = {-1};
        Thread watch = Thread.ofVirtual().start(() -> {
            while (downAfterMs[0] < 0 && System.nanoTime() - t0 < 20_000_000_000L) {
                if (down(c, "sluice-" + VICTIM)) {
                    downAfterMs[0] = (System.nanoTime() - t0) / 1_000_000;
                }
                sleep(100);
            }
        });
        Map<Integer, Integer> side = new ConcurrentHashMap<>();
        List<Thread> chatters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {   // four clients, each a new chat as soon as the last answered, for 4 s
            int base = t * 1000;
            chatters.add(Thread.ofVirtual().start(() -> {
                for (int n = base; System.nanoTime() - t0 < 4_000_000_000L; n++) {
                    side.merge(c.status("POST", c.lb + "/v1/chat/completions", k.get(1 + base / 1000), CHAT.formatted(n)), 1, Integer::sum);
                    sleep(50);
                }
            }));
        }
        for (Thread t : chatters) {
            t.join(60_000);
        }
        watch.join(20_000);
        for (Thread t : running) {
            t.join(60_000);
        }
        boolean exited = victim.onExit().toCompletableFuture().completeOnTimeout(null, 30, java.util.concurrent.TimeUnit.SECONDS)
                .join() != null && !victim.isAlive();
        c.restart(VICTIM);
        boolean pass = streams.getOrDefault("complete", 0) == STREAMS && side.keySet().stream().allMatch(s -> s == 200)
                && downAfterMs[0] >= 0 && exited;
        return new ClusterChecks.Row("SIGTERM drains",
                STREAMS + " streamed chats through HAProxy (~2.5 s each, 5 per instance), instance " + VICTIM + " sent SIGTERM 0.5 s in; "
                        + "4 clients sending non-streamed chats for 4 s meanwhile; then restarted",
                "streams: " + streams + "; chats during the drain: " + side + "; HAProxy marked it DOWN after "
                        + downAfterMs[0] + " ms; process exited: " + exited, pass);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "complete" when the stream ended with [DONE] and carried no error, else what went wrong. */
    private static String stream(Cluster c, String key, int n) {
        try {
            HttpResponse<String> r = c.http.send(HttpRequest.newBuilder(URI.create(c.lb + "/v1/chat/completions"))
                    .timeout(java.time.Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(STREAM.formatted(n))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "status " + r.statusCode();
            }
            return r.body().contains("data: [DONE]") && !r.body().contains("\"error\"") ? "complete" : "cut";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    /** True when HAProxy's stats page reports the server anything but UP. */
    static boolean down(Cluster c, String server) {
        try {
            HttpResponse<String> r = c.send("GET", c.env.get("STATS_URL") + ";csv", null, null);
            for (String line : r.body().split("\n")) {
                String[] f = line.split(",");
                if (f.length > 17 && f[0].equals("instances") && f[1].equals(server)) {
                    return !f[17].startsWith("UP");
                }
            }
        } catch (Exception e) {
            // not known
        }
        return false;
    }
}
