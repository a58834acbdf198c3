package io.sluice.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed benchmark behind {@code make bench}. loadtest/bench.sh starts the processes (simulators,
 * Sluice in three profiles, a bare Helidon server) and passes their URLs and pids; this program
 * drives the load with its own small client on virtual threads and writes the Markdown report.
 */
public final class Bench {
    private static final String CHAT = "{\"model\":\"%s\",\"stream\":%s,\"max_tokens\":20,"
                                       + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    private final Map<String, String> args;
    private final StringBuilder report = new StringBuilder();

    private Bench(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(a.substring(a.startsWith("--") ? 2 : 0, eq), a.substring(eq + 1));
        }
        Bench bench = new Bench(args);
        bench.report.append(args.getOrDefault("header", "")).append('\n');
        String only = args.getOrDefault("scenario", "all");
        if (only.equals("all") || only.equals("overhead")) {
            bench.overhead();
        }
        if (only.equals("all") || only.equals("streams")) {
            bench.heldStreams();
        }
        if (only.equals("all") || only.equals("admission")) {
            bench.admission();
        }
        if (only.equals("all") || only.equals("tasks")) {
            bench.tasks();
        }
        if (only.equals("all") || only.equals("light")) {
            bench.light();
        }
        Path out = Path.of(args.getOrDefault("out", "bench-report.md"));
        Files.writeString(out, bench.report.toString());
        System.out.println(bench.report);
        System.out.println("report written to " + out.toAbsolutePath());
    }

    // ---- 1. overhead ------------------------------------------------------------------------------

    private void overhead() throws Exception {
        URI sim = uri("sim0");
        URI sluice = uri("sluice");
        int conns = Integer.parseInt(args.getOrDefault("connections", "50"));
        Duration d = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "10")));
        section("1. Overhead: non-streamed chat through Sluice vs. directly against the simulator");
        line("Simulator answers at once (20 tokens, no latency); closed loop, " + conns + " keep-alive connections, "
             + d.toSeconds() + " s per run, runs alternated; the better of two runs of each is reported.");
        ClosedLoop.Run direct = ClosedLoop.best(() -> ClosedLoop.run(sim, conns, d, "POST", "/v1/chat/completions", CHAT.formatted("sim", false)),
                          () -> ClosedLoop.run(sim, conns, d, "POST", "/v1/chat/completions", CHAT.formatted("sim", false)));
        Proc before = proc("sluicePid");
        ClosedLoop.Run through = ClosedLoop.best(() -> ClosedLoop.run(sluice, conns, d, "POST", "/v1/chat/completions", CHAT.formatted("fast", false)),
                           () -> ClosedLoop.run(sluice, conns, d, "POST", "/v1/chat/completions", CHAT.formatted("fast", false)));
        Proc after = proc("sluicePid");
        ClosedLoop.Run direct1 = ClosedLoop.run(sim, 1, Duration.ofSeconds(5), "POST", "/v1/chat/completions", CHAT.formatted("sim", false));
        ClosedLoop.Run through1 = ClosedLoop.run(sluice, 1, Duration.ofSeconds(5), "POST", "/v1/chat/completions", CHAT.formatted("fast", false));
        table("| path | connections | req/s | p50 ms | p95 ms | p99 ms | errors |", List.of(
                row("direct to simulator", conns, direct), row("through Sluice", conns, through),
                row("direct to simulator", 1, direct1), row("through Sluice", 1, through1)));
        line(String.format("**Throughput ratio (Sluice / direct) at %d connections: %.2f.** Added latency at one "
                           + "connection: p50 +%.2f ms, p99 +%.2f ms. Sluice CPU during its runs: %.1f s.",
                           conns, through.rps() / direct.rps(), through1.lat().percentileMs(50) - direct1.lat().percentileMs(50),
                           through1.lat().percentileMs(99) - direct1.lat().percentileMs(99), after.cpuSeconds() - before.cpuSeconds()));
        line(usage("Sluice", before, after));
        Path svg = Path.of(args.getOrDefault("out", "bench-report.md")).resolveSibling("overhead.svg");
        Files.writeString(svg, Svg.latencyBars("Non-streamed chat latency, ms (" + conns + " connections)",
                List.of("direct", "through Sluice"), List.of(direct.lat(), through.lat())));
        line("![latency percentiles](overhead.svg)");
    }

    // ---- 2. held concurrency ----------------------------------------------------------------------

    private void heldStreams() throws Exception {
        URI sluice = uri("sluice");
        int n = Integer.parseInt(args.getOrDefault("streams", "10000"));
        long rampMs = Long.parseLong(args.getOrDefault("ramp-ms", "10000"));
        section("2. Held concurrency: " + n + " concurrent streams against a 5 s upstream");
        line("Each client opens its own connection and asks for a streamed chat; the simulator waits 5 s, then "
             + "streams 20 tokens at 100 tokens/s. Clients start evenly over " + rampMs / 1000 + " s.");
        Latencies ttfb = new Latencies();
        Latencies total = new Latencies();
        AtomicInteger peak = new AtomicInteger();
        Proc before = proc("sluicePid");
        Thread sampler = sampler(sluice, "concurrent_streaming", peak);
        long start = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                long delay = rampMs * 1_000_000L * i / n;
                pool.submit(() -> {
                    ClosedLoop.sleepUntil(start + delay);
                    long t0 = System.nanoTime();
                    try (RawHttp c = new RawHttp(sluice, 120_000)) {
                        RawHttp.Stream s = c.stream("/v1/chat/completions", CHAT.formatted("slow5", true), t0);
                        if (s.status() == 200 && s.done()) {
                            total.ok.increment();
                            ttfb.record(s.firstDataNanos());
                            total.record(System.nanoTime() - t0);
                        } else {
                            total.errors.increment();
                        }
                    } catch (IOException | RuntimeException e) {
                        total.errors.increment();
                    }
                    return null;
                });
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        Proc after = proc("sluicePid");
        table("| streams | completed | errors | peak in flight | TTFB p50 / p99 ms | total p50 / p99 ms | wall s | Sluice peak RSS MB | Sluice CPU s |",
              List.of(String.format("| %d | %d | %d | %d | %.0f / %.0f | %.0f / %.0f | %.1f | %d | %.1f |", n, total.ok.sum(),
                                    total.errors.sum(), peak.get(), ttfb.percentileMs(50), ttfb.percentileMs(99),
                                    total.percentileMs(50), total.percentileMs(99), wall, after.peakRssMb(),
                                    after.cpuSeconds() - before.cpuSeconds())));
    }

    // ---- 3. admission at the default limits ---------------------------------------------------------

    private void admission() throws Exception {
        URI sluice = uri("sluiceDefaults");
        Duration d = Duration.ofSeconds(20);
        section("3. Admission at the default limits (50 requests / 20 streams) under 10x load");
        line("500 clients in a closed loop on `/diag/sleep?ms=2000` (each holds a request permit 2 s), then 200 clients "
             + "on `/diag/stream` (2 s streams, each holds a streaming permit); 20 s each; queue timeout 2 s. "
             + "In-flight is sampled from `/health` every 100 ms.");
        List<String> rows = new ArrayList<>();
        Proc before = proc("sluiceDefaultsPid");
        for (String[] c : new String[][] {{"requests", "500", "GET", "/diag/sleep?ms=2000", "concurrent_requests", "50"},
                                          {"streams", "200", "GET", "/diag/stream?events=20&interval_ms=100",
                                           "concurrent_streaming", "20"}}) {
            AtomicInteger peak = new AtomicInteger();
            Thread sampler = sampler(sluice, c[4], peak);
            ClosedLoop.Run run = ClosedLoop.run(sluice, Integer.parseInt(c[1]), d, c[2], c[3], null);
            sampler.interrupt();
            Thread.sleep(3000);
            String free = RawHttp.get(sluice, "/health").contains("\"" + c[4] + "\":0") ? "yes" : "NO";
            rows.add(String.format("| %s | %s | %s | %d | %.1f/s | %d | %.0f / %.0f | %d | %s |", c[0], c[5], c[1], peak.get(),
                                   run.rps(), run.lat().rejected.sum(),
                                   run.rejections().percentileMs(50), run.rejections().percentileMs(99),
                                   run.lat().errors.sum(), free));
        }
        table("| limit | max | clients | peak in flight | goodput (200s) | 503s | 503 latency p50 / p99 ms | other errors | all permits free after |",
              rows);
        line(usage("Sluice (default limits)", before, proc("sluiceDefaultsPid")));
    }

    // ---- 4. async tasks ---------------------------------------------------------------------------

    private void tasks() throws Exception {
        section("4. Async tasks");
        Proc apiBefore = proc("sluiceApiPid");
        ClosedLoop.Run submit = ClosedLoop.run(uri("sluiceApi"), 50, Duration.ofSeconds(10), "POST", "/v1/tasks", CHAT.formatted("slow2", false));
        line(String.format("Submissions (an API-only instance, 50 connections, 10 s): **%.0f tasks/s**, p50 %.1f ms, "
                           + "p99 %.1f ms, %d errors.", submit.rps(), submit.lat().percentileMs(50),
                           submit.lat().percentileMs(99), submit.lat().errors.sum() + submit.lat().rejected.sum()));
        line(usage("API-only instance", apiBefore, proc("sluiceApiPid")));
        Proc workerBefore = proc("sluiceDefaultsPid");
        URI sluice = uri("sluiceDefaults");
        int n = 60;
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(sluice, 30_000)) {
            for (int i = 0; i < n; i++) {
                String body = new String(c.exchange("POST", "/v1/tasks", CHAT.formatted("slow2", false)).body(), StandardCharsets.UTF_8);
                ids.add(RawHttp.field(body, "task_id"));
            }
        }
        AtomicInteger succeeded = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String id : ids) {
                pool.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        String t = RawHttp.get(sluice, "/v1/tasks/" + id + "?wait=30s");
                        if (t.contains("\"status\":\"succeeded\"")) {
                            succeeded.incrementAndGet();
                            return null;
                        }
                        if (t.contains("\"status\":\"failed\"")) {
                            return null;
                        }
                    }
                    return null;
                });
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        line(String.format("Completion (default limits: LLM bulkhead 10, 10 workers; upstream 2 s): %d tasks, %d succeeded in "
                           + "%.1f s = **%.1f tasks/s** (the bulkhead's 10 / 2 s = 5/s is the bound).",
                           n, succeeded.get(), secs, succeeded.get() / secs));
        line(usage("Worker instance", workerBefore, proc("sluiceDefaultsPid")));
    }

    // ---- 5. what the filters cost -----------------------------------------------------------------

    private void light() throws Exception {
        section("5. A light endpoint: Sluice vs. a bare Helidon server built in the same run");
        Duration d = Duration.ofSeconds(10);
        Proc bareBefore = proc("helloPid");
        ClosedLoop.Run bare = ClosedLoop.run(uri("hello"), 50, d, "GET", "/", null);
        Proc bareAfter = proc("helloPid");
        Proc sluiceBefore = proc("sluicePid");
        ClosedLoop.Run sluice = ClosedLoop.run(uri("sluice"), 50, d, "GET", "/observe/health/live", null);
        ClosedLoop.Run api = ClosedLoop.run(uri("sluice"), 50, d, "GET", "/diag/sleep?ms=0", null);
        Proc sluiceAfter = proc("sluicePid");
        table("| server and path | req/s | p50 ms | p95 ms | p99 ms | errors |", List.of(
                row2("bare Helidon `GET /`", bare), row2("Sluice `GET /observe/health/live` (probe: log + metrics filters)", sluice),
                row2("Sluice `GET /diag/sleep?ms=0` (API: + admission permit, deadline)", api)));
        line(String.format("Ratio Sluice probe / bare: %.2f; API path / bare: %.2f (50 connections, 10 s each).",
                           sluice.rps() / bare.rps(), api.rps() / bare.rps()));
        line(usage("Bare Helidon", bareBefore, bareAfter) + " " + usage("Sluice (both runs)", sluiceBefore, sluiceAfter));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private Thread sampler(URI base, String field, AtomicInteger peak) {
        Pattern p = Pattern.compile("\"" + field + "\":(\\d+)");
        return Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Matcher m = p.matcher(RawHttp.get(base, "/health"));
                    if (m.find()) {
                        peak.accumulateAndGet(Integer.parseInt(m.group(1)), Math::max);
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a missed sample
                }
            }
        });
    }

    private URI uri(String key) {
        return URI.create(args.get(key));
    }

    private Proc proc(String key) {
        return Proc.sample(Long.parseLong(args.getOrDefault(key, "0")));
    }

    private static String usage(String who, Proc before, Proc after) {
        return String.format("%s: CPU %.1f s, RSS %d MB (peak %d MB).", who, after.cpuSeconds() - before.cpuSeconds(),
                             after.rssMb(), after.peakRssMb());
    }

    private static String row(String what, int conns, ClosedLoop.Run r) {
        return String.format("| %s | %d | %.0f | %.2f | %.2f | %.2f | %d |", what, conns, r.rps(), r.lat().percentileMs(50),
                             r.lat().percentileMs(95), r.lat().percentileMs(99), r.lat().errors.sum() + r.lat().rejected.sum());
    }

    private static String row2(String what, ClosedLoop.Run r) {
        return String.format("| %s | %.0f | %.2f | %.2f | %.2f | %d |", what, r.rps(), r.lat().percentileMs(50),
                             r.lat().percentileMs(95), r.lat().percentileMs(99), r.lat().errors.sum() + r.lat().rejected.sum());
    }

    private void section(String title) {
        report.append("\n## ").append(title).append("\n\n");
        System.out.println("== " + title);
    }

    private void line(String text) {
        report.append(text).append("\n\n");
    }

    private void table(String header, List<String> rows) {
        report.append(header).append('\n').append(header.replaceAll("[^|]+", "---")).append('\n');
        rows.forEach(r -> report.append(r).append('\n'));
        report.append('\n');
    }


}
