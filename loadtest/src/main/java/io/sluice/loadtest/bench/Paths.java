package io.sluice.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Sluice against its yardstick in one run: a bare Helidon WebClient pass-through (BareHelidon) and a
 * bare hello, beside Sluice's full path (API key, rate limits, usage recorded, access log) and lean
 * path (auth and rate limits off). Also start-up and memory at {@code make run}'s JVM settings.
 */
final class Paths {
    private static final Duration WARM_WINDOW = Duration.ofSeconds(5);
    private static final Duration WARM_MAX = Duration.ofSeconds(90);
    /** Two warm-up windows this close (relative) count as settled. */
    private static final double WARM_SETTLED = 0.03;
    /** Warm-up of each light path before its runs. */
    private static final Duration LIGHT_WARM = Duration.ofSeconds(15);
    /** Alternated runs of each chat target at 50 connections; the best of them is reported. */
    private static final int ROUNDS = 3;
    private final Map<String, String> args;
    private final Report report;
    private String auth;   // "Authorization: Bearer <api key>\r\n" for the full path, made on first use

    Paths(Map<String, String> args, Report report) {
        this.args = args;
        this.report = report;
    }

    /** Logs in as the admin (password given to the full instance by bench.sh) and creates an API key through the API. */
    private String auth() throws IOException {
        if (auth == null) {
            URI full = uri("sluice");
            String login = "{\"username\":\"admin\",\"password\":\"" + args.get("adminPassword") + "\"}";
            String token;
            try (RawHttp c = new RawHttp(full, 30_000)) {
                token = RawHttp.field(text(c.exchange("POST", "/api/auth/login", login)), "token");
            }
            try (RawHttp c = new RawHttp(full, 30_000, "Authorization: Bearer " + token + "\r\n")) {
                auth = "Authorization: Bearer " + RawHttp.field(text(c.exchange("POST", "/api/keys", "{\"name\":\"bench\"}")), "key")
                       + "\r\n";
            }
        }
        return auth;
    }

    void memory() throws Exception {
        report.section("0. Start-up and memory at `make run`'s JVM settings (full path instance)");
        Proc idle = proc("sluicePid");
        int secs = Integer.parseInt(args.getOrDefault("rss-seconds", "60"));
        ClosedLoop.Run load = ClosedLoop.run(uri("sluice"), 50, Duration.ofSeconds(secs), "POST", "/v1/chat/completions",
                                             Bench.chat("fast", false), auth());
        Proc after = proc("sluicePid");
        report.table("| measure | value |", List.of(
                "| start to ready, first start (initdb of embedded PostgreSQL, Redis, migrations) | " + args.getOrDefault("startFirstMs", "?") + " ms |",
                "| start to ready, restart (data kept" + (args.getOrDefault("jvm", "").contains("SharedArchive") ? ", CDS archive from the first run" : "") + ") | "
                + args.getOrDefault("startMs", "?") + " ms |",
                "| RSS idle after restart | " + idle.rssMb() + " MB |",
                String.format("| RSS after %d s of 50-connection chat (full path, %.0f req/s, %d errors) | %d MB (peak %d MB) |", secs,
                              load.rps(), load.lat().errors.sum() + load.lat().rejected.sum(), after.rssMb(), after.peakRssMb())));
        report.line("Start to ready: from launching `java` to the first 200 from `/observe/health/ready` (polled every 50 ms), "
                    + "with embedded PostgreSQL and Redis; each start on a quiet machine (90% idle in two 0.5 s windows, at most 30 s), "
                    + "after the other instances had started.");
    }

    void chat() throws Exception {
        int conns = Integer.parseInt(args.getOrDefault("connections", "50"));
        Duration d = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "10")));
        Duration d1 = Duration.ofSeconds(Math.max(2, d.toSeconds() / 2));
        Duration warm = Duration.ofSeconds(Long.parseLong(args.getOrDefault("warmup-seconds", "40")));
        report.section("1. Non-streamed chat: Sluice's full and lean paths against a bare Helidon pass-through");
        report.line("Simulator answers at once (20 tokens, no latency). Bare pass-through: `BareHelidon`, Helidon WebClient, body "
                    + "buffered, content-length, tcp-no-delay. Full path: API key, rate limits on (limits raised so none rejects), "
                    + "usage recorded, access log at INFO. Lean path: auth and rate limits off. Closed loop, " + conns
                    + " keep-alive connections for " + d.toSeconds() + " s (after a warm-up of each: " + warm.toSeconds() + " s, then 5 s windows until "
                    + "two agree within " + Math.round(WARM_SETTLED * 100) + "%, at most " + WARM_MAX.toSeconds() + " s; the best of " + ROUNDS
                    + " alternated runs, each started on a quiet machine), then 1 connection for "
                    + d1.toSeconds() + " s. RSS: the server process right after its run.");
        String full = auth();
        Target[] targets = {new Target("direct to simulator", "sim0", "", "sim", null),
                            new Target("bare Helidon pass-through", "hello", "", "sim", "helloPid"),
                            new Target("Sluice lean path", "sluiceLean", "", "fast", "sluiceLeanPid"),
                            new Target("Sluice full path", "sluice", full, "fast", "sluicePid")};
        // Not reported: every server is warmed until its throughput has settled. A fixed 15 s was not
        // enough on a busy box: the full instance had also run the 60 s memory scenario, the lean one
        // had not, and its JIT was still compiling the chat path, so lean measured below full
        // (0.42-0.55x against 0.61-0.64x) although wrk in the same minute showed them level. 15 s and
        // 5% were not either: C2 compiles Sluice's chat path for 30-40 s of load on 2 cores (JFR: its
        // compile time still rising 1 s per s after 30 s), and a lean instance measured after 10 s of
        // hey ran at 1,943 req/s, after 40 s at 4,765. So at least 40 s, then windows within 3%.
        for (Target t : targets) {
            t.warm(conns, warm, WARM_MAX);
        }
        ClosedLoop.Run[] many = new ClosedLoop.Run[targets.length];
        long[] rss = new long[targets.length];
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < targets.length; k++) {
                if (round > 0 && k == 0) {
                    continue;   // the simulator alone is not what is compared
                }
                int i = round % 2 == 1 && k >= 2 ? 5 - k : k;   // odd rounds: full before lean, so neither always goes first
                // Each run on a quiet machine: the previous server's leftovers (its usage rows reaching PostgreSQL,
                // a collection) must not land in the next one's window.
                Quiet.await(0.9, Duration.ofSeconds(10));
                ClosedLoop.Run r = targets[i].run(conns, d);
                if (many[i] == null || r.rps() > many[i].rps()) {
                    many[i] = r;
                    rss[i] = targets[i].rss();
                }
            }
        }
        ClosedLoop.Run[] one = new ClosedLoop.Run[targets.length];
        for (int i = 0; i < targets.length; i++) {
            one[i] = targets[i].run(1, d1);
        }
        List<String> rows = new ArrayList<>();
        for (int[] c : new int[][] {{conns, 0}, {1, 1}}) {
            ClosedLoop.Run[] runs = c[1] == 0 ? many : one;
            for (int i = 0; i < targets.length; i++) {
                rows.add(String.format("| %s | %d | %s | %.2f | %s |", targets[i].name, c[0], Report.cells(runs[i]),
                                       runs[i].rps() / runs[1].rps(), c[1] == 0 && rss[i] > 0 ? rss[i] + "" : "-"));
            }
        }
        report.table("| path | connections | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to bare | server RSS MB |", rows);
        report.line(String.format("**At %d connections: full path %.2f× the bare pass-through (target ≥ 0.6), lean path %.2f× (target ≥ 0.8).** "
                                  + "One connection, added over bare: full p50 +%.2f ms, p99 +%.2f ms (target ≤ 0.3 / 2 ms); "
                                  + "lean p50 +%.2f ms, p99 +%.2f ms. Bare over the simulator: p50 +%.2f ms.",
                                  conns, many[3].rps() / many[1].rps(), many[2].rps() / many[1].rps(),
                                  added(one[3], one[1], 50), added(one[3], one[1], 99), added(one[2], one[1], 50),
                                  added(one[2], one[1], 99), added(one[1], one[0], 50)));
        Path svg = Path.of(args.getOrDefault("out", "bench-report.md")).resolveSibling("overhead.svg");
        Files.writeString(svg, Svg.latencyBars("Non-streamed chat latency, ms (" + conns + " connections)",
                List.of("bare pass-through", "Sluice lean", "Sluice full"), List.of(many[1].lat(), many[2].lat(), many[3].lat())));
        report.line("![latency percentiles](overhead.svg)");
    }

    void light() throws Exception {
        report.section("5. Light endpoints: Sluice against a bare Helidon hello built in the same run");
        Duration d = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "10")));
        Proc bareBefore = proc("helloPid");
        Proc before = proc("sluicePid");
        String[][] targets = {{"hello", "/", ""}, {"sluice", "/v1/models", auth()}, {"sluice", "/observe/health/live", ""},
                              {"sluiceLean", "/diag/sleep?ms=0", ""}};
        List<ClosedLoop.RunSupplier> runs = new java.util.ArrayList<>();
        for (String[] t : targets) {
            ClosedLoop.run(uri(t[0]), 50, LIGHT_WARM, "GET", t[1], null, t[2]);   // warm-up: the JIT compiles the path
            runs.add(() -> {
                Quiet.await(0.9, Duration.ofSeconds(10));   // the previous run's leftovers out of this one's window
                return ClosedLoop.run(uri(t[0]), 50, d, "GET", t[1], null, t[2]);
            });
        }
        List<ClosedLoop.Run> best = ClosedLoop.bestAlternating(2, runs);
        ClosedLoop.Run bare = best.get(0);
        ClosedLoop.Run models = best.get(1);
        ClosedLoop.Run live = best.get(2);
        ClosedLoop.Run sleep = best.get(3);
        Proc bareAfter = proc("helloPid");
        Proc after = proc("sluicePid");
        report.table("| server and path | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to bare hello |", List.of(
                row("bare Helidon `GET /`", bare, bare),
                row("Sluice full `GET /v1/models` with an API key (auth, rate limit, admission)", models, bare),
                row("Sluice `GET /observe/health/live` (the liveness probe, answered by the first filter)", live, bare),
                row("Sluice lean `GET /diag/sleep?ms=0` (admission permit, deadline)", sleep, bare)));
        report.line(String.format("**Authenticated light GET / bare hello: %.2f (target ≥ 0.6); liveness probe / bare hello: %.2f "
                                  + "(target ≥ 0.8)** (50 connections, %d s each after %d s of warm-up each; the better of two runs "
                                  + "of each, alternating bare and Sluice).", models.rps() / bare.rps(),
                                  live.rps() / bare.rps(), d.toSeconds(), LIGHT_WARM.toSeconds()));
        report.line(Report.usage("Bare Helidon", bareBefore, bareAfter) + " " + Report.usage("Sluice full (all its runs)", before, after));
    }

    private static String row(String what, ClosedLoop.Run r, ClosedLoop.Run bare) {
        return String.format("| %s | %s | %.2f |", what, Report.cells(r), r.rps() / bare.rps());
    }

    private static double added(ClosedLoop.Run r, ClosedLoop.Run base, int p) {
        return r.lat().percentileMs(p) - base.lat().percentileMs(p);
    }

    private final class Target {
        final String name;
        final String url;
        final String headers;
        final String model;
        final String pid;

        Target(String name, String url, String headers, String model, String pid) {
            this.name = name;
            this.url = url;
            this.headers = headers;
            this.model = model;
            this.pid = pid;
        }

        /** Load for at least {@code min}, then 5 s windows until one is within 5% of the one before (at most {@code max}). */
        void warm(int conns, Duration min, Duration max) throws InterruptedException {
            long end = System.nanoTime() + max.toNanos();
            run(conns, min);
            double last = 0;
            while (System.nanoTime() < end) {
                double rps = run(conns, WARM_WINDOW).rps();
                if (last > 0 && Math.abs(rps - last) <= WARM_SETTLED * last) {
                    return;
                }
                last = rps;
            }
        }

        ClosedLoop.Run run(int conns, Duration d) throws InterruptedException {
            System.out.println("  " + name + ", " + conns + " connections");
            return ClosedLoop.run(uri(url), conns, d, "POST", "/v1/chat/completions", Bench.chat(model, false), headers);
        }

        long rss() {
            return pid == null ? -1 : proc(pid).rssMb();
        }
    }

    private URI uri(String key) {
        return URI.create(args.get(key));
    }

    private Proc proc(String key) {
        return Proc.sample(Long.parseLong(args.getOrDefault(key, "0")));
    }

    private static String text(RawHttp.Response r) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("HTTP " + r.status() + ": " + body);
        }
        return body;
    }
}
