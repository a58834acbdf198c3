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
import java.util.concurrent.ThreadFactory;
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
    private final Report report = new Report();
    private final Paths paths;

    private Bench(Map<String, String> args) {
        this.args = args;
        this.paths = new Paths(args, report);
    }

    static String chat(String model, boolean stream) {
        return CHAT.formatted(model, stream);
    }

    private interface Scenario {
        void run() throws Exception;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            args.put(a.substring(a.startsWith("--") ? 2 : 0, eq), a.substring(eq + 1));
        }
        Bench bench = new Bench(args);
        bench.report.raw(args.getOrDefault("header", ""));
        // A comma-separated list, or all. "memory" runs first: idle RSS is read before any load.
        List<String> only = List.of(args.getOrDefault("scenario", "all").split(","));
        Map<String, Scenario> scenarios = new java.util.LinkedHashMap<>();
        scenarios.put("memory", bench.paths::memory);
        scenarios.put("chat", bench.paths::chat);
        scenarios.put("streams", bench::heldStreams);
        scenarios.put("admission", bench::admission);
        scenarios.put("tasks", bench::tasks);
        scenarios.put("light", bench.paths::light);
        scenarios.put("cache", new CacheBench(args, bench.report)::run);
        scenarios.put("files", new FileBench(args, bench.report)::run);
        scenarios.put("podcast", new PodcastBench(args, bench.report)::run);
        for (Map.Entry<String, Scenario> e : scenarios.entrySet()) {
            if (only.contains("all") || only.contains(e.getKey())) {
                bench.report.quiet(Quiet.await(0.9, Duration.ofSeconds(30)));
                e.getValue().run();
            }
        }
        Path out = Path.of(args.getOrDefault("out", "bench-report.md"));
        Files.writeString(out, bench.report.toString());
        System.out.println(bench.report);
        System.out.println("report written to " + out.toAbsolutePath());
    }

    // ---- 2. held concurrency ----------------------------------------------------------------------

    private void heldStreams() throws Exception {
        URI sluice = uri("sluiceLean");
        int n = Integer.parseInt(args.getOrDefault("streams", "10000"));
        long rampMs = Long.parseLong(args.getOrDefault("ramp-ms", "10000"));
        section("2. Held concurrency: " + n + " concurrent streams against a 5 s upstream");
        line("Each client opens its own connection and asks for a streamed chat; the simulator waits 5 s, then "
             + "streams 20 tokens at 100 tokens/s. Clients start evenly over " + rampMs / 1000 + " s. Sluice: the lean-path "
             + "instance at `make run`'s JVM settings (" + args.getOrDefault("jvm", "?") + ").");
        Latencies ttfb = new Latencies();
        Latencies total = new Latencies();
        AtomicInteger peak = new AtomicInteger();
        Map<String, Integer> why = new java.util.concurrent.ConcurrentHashMap<>();   // errors by kind, for the report
        Proc before = proc("sluiceLeanPid");
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
                            why.merge(s.status() == 200 ? "200 without [DONE]" : "status " + s.status(), 1, Integer::sum);
                        }
                    } catch (IOException | RuntimeException e) {
                        total.errors.increment();
                        why.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                    }
                    return null;
                });
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        Proc after = proc("sluiceLeanPid");
        table("| streams | completed | errors | peak in flight | TTFB p50 / p99 ms | total p50 / p99 ms | wall s | Sluice peak RSS MB | Sluice CPU s |",
              List.of(String.format("| %d | %d | %d | %d | %.0f / %.0f | %.0f / %.0f | %.1f | %d | %.1f |", n, total.ok.sum(),
                                    total.errors.sum(), peak.get(), ttfb.percentileMs(50), ttfb.percentileMs(99),
                                    total.percentileMs(50), total.percentileMs(99), wall, after.peakRssMb(),
                                    after.cpuSeconds() - before.cpuSeconds())));
        if (!why.isEmpty()) {
            line("Errors by kind: " + why);
        }
        if (after.rssMb() < 0) {
            line("**The Sluice process was gone after this run** (see loadtest/target/bench/sluice-lean.out: with "
                 + "-XX:+ExitOnOutOfMemoryError a full heap ends the process); later rows on this instance fail.");
        }
    }

    // ---- 3. admission at the default limits ---------------------------------------------------------

    private void admission() throws Exception {
        URI sluice = uri("sluiceDefaults");
        Duration d = Duration.ofSeconds(20);
        section("3. Admission at the default limits (50 requests / 20 streams) under 10x load");
        line("500 clients in a closed loop on `/diag/sleep?ms=2000` (each holds a request permit 2 s), then 200 clients "
             + "on `/diag/stream` (2 s streams, each holds a streaming permit); 20 s each; queue timeout 2 s. "
             + "Each after a 6 s warm-up of the same load; latency from sending the request (connections are opened first); "
             + "one platform thread per client, so that this client's own scheduler does not delay a burst of answers. "
             + "In-flight is sampled from `/health` every 100 ms.");
        List<String> rows = new ArrayList<>();
        Proc before = proc("sluiceDefaultsPid");
        for (String[] c : new String[][] {{"requests", "500", "GET", "/diag/sleep?ms=2000", "concurrent_requests", "50"},
                                          {"streams", "200", "GET", "/diag/stream?events=20&interval_ms=100",
                                           "concurrent_streaming", "20"}}) {
            ThreadFactory clients = Thread.ofPlatform().stackSize(256 * 1024).factory();   // see ClosedLoop.run
            ClosedLoop.run(sluice, Integer.parseInt(c[1]), Duration.ofSeconds(6), c[2], c[3], null, "", clients);   // warm-up
            Thread.sleep(2500);   // the warm-up's permits come back
            AtomicInteger peak = new AtomicInteger();
            Thread sampler = sampler(sluice, c[4], peak);
            ClosedLoop.Run run = ClosedLoop.run(sluice, Integer.parseInt(c[1]), d, c[2], c[3], null, "", clients);
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
        // Warm-up: 5 s left the JIT compiling the submit path (3,092 to 5,110 tasks/s between runs of one build).
        ClosedLoop.run(uri("sluiceApi"), 50, Duration.ofSeconds(20), "POST", "/v1/tasks", CHAT.formatted("slow2", false));
        Quiet.await(0.9, Duration.ofSeconds(10));
        ClosedLoop.Run submit = ClosedLoop.run(uri("sluiceApi"), 50, Duration.ofSeconds(10), "POST", "/v1/tasks", CHAT.formatted("slow2", false));
        line(String.format("Submissions (an API-only instance, 50 connections, 10 s after 20 s of warm-up): **%.0f tasks/s**, p50 %.1f ms, "
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

    private void section(String title) {
        report.section(title);
    }

    private void line(String text) {
        report.line(text);
    }

    private void table(String header, List<String> rows) {
        report.table(header, rows);
    }

    private static String usage(String who, Proc before, Proc after) {
        return Report.usage(who, before, after);
    }
}
