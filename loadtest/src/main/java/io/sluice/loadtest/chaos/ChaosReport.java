package io.sluice.loadtest.chaos;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;

/** The printed table: one row per scenario, and the task check that says whether anything was lost. */
final class ChaosReport {
    private static final long TASK_WAIT_NANOS = 60_000_000_000L;

    private ChaosReport() {
    }

    /** "kind status×count" for the answers between {@code from} and {@code to}; -1 is "no answer (io)". */
    static String seen(Queue<Load.Result> results, long from, long to) {
        Map<String, Map<String, Integer>> byKind = new TreeMap<>();
        for (Load.Result r : results) {
            if (r.atNanos() >= from && r.atNanos() <= to) {
                String status = r.status() < 0 ? "io" : String.valueOf(r.status());
                byKind.computeIfAbsent(r.kind(), k -> new TreeMap<>()).merge(status, 1, Integer::sum);
            }
        }
        StringBuilder sb = new StringBuilder();
        byKind.forEach((kind, counts) -> {
            sb.append(sb.isEmpty() ? "" : "; ").append(kind).append(' ');
            StringBuilder c = new StringBuilder();
            counts.forEach((status, n) -> c.append(c.isEmpty() ? "" : " ").append(status).append('×').append(n));
            sb.append(c);
        });
        return sb.toString();
    }

    /**
     * Waits (bounded) until every task accepted during the run has finished, then writes the table:
     * a task accepted (202) that never finishes counts as lost for the scenario it was accepted in; one that
     * ends "failed" (its error readable by the client) is counted apart.
     */
    static String table(List<Chaos.Outcome> outcomes, Load load) throws InterruptedException {
        long deadline = System.nanoTime() + TASK_WAIT_NANOS;
        Map<String, String> status = new TreeMap<>();
        List<Load.Task> tasks = List.copyOf(load.tasks);
        boolean pending = true;
        while (pending && System.nanoTime() < deadline) {
            pending = false;
            for (Load.Task t : tasks) {
                String s = status.get(t.id());
                if (s == null || s.equals("queued") || s.equals("running") || s.equals("unknown")) {
                    s = load.taskStatus(t.id());
                    status.put(t.id(), s);
                    pending |= s.equals("queued") || s.equals("running") || s.equals("unknown");
                }
            }
            if (pending) {
                Thread.sleep(1000);
            }
        }
        StringBuilder sb = new StringBuilder("| scenario | injected | clients saw (kind status×count) | time to recover | lost |\n"
                                             + "|---|---|---|---|---|\n");
        for (Chaos.Outcome o : outcomes) {
            int accepted = 0;
            int failed = 0;
            int lost = 0;
            for (Load.Task t : tasks) {
                if (t.atNanos() >= o.tasksFrom() && t.atNanos() < o.tasksTo()) {
                    accepted++;
                    String s = status.get(t.id());
                    if ("failed".equals(s) || "cancelled".equals(s)) {
                        failed++;   // ended with an error the client can read: reported, not lost
                    } else if (!"succeeded".equals(s)) {
                        lost++;
                    }
                }
            }
            sb.append("| ").append(o.scenario()).append(" | ").append(o.injected()).append(" | ").append(o.seen())
              .append(" | ").append(o.recovery()).append(" | ")
              .append(lost == 0 ? "none" : lost + " task(s) never finished").append(" (").append(accepted)
              .append(" tasks accepted, ").append(accepted - failed - lost).append(" succeeded, ").append(failed)
              .append(" failed with an error)").append(" |\n");
        }
        sb.append("\nTime to recover: from the end of the fault (for a kill, the kill) to the start of the first request")
          .append(" after which every request succeeded (judged by start time; readiness 200). io = no answer within ")
          .append(Load.CLIENT_TIMEOUT.toSeconds()).append(" s.\n");
        return sb.toString();
    }
}
