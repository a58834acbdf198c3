package io.sluice.loadtest.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Speech at the TTS limit, then a podcast. First, {@value #TTS_CLIENTS} clients ask for speech in a loop for
 * {@value #TTS_SECONDS_RUN} s: with each call taking 1 s and {@value #TTS_LIMIT} at once, the ceiling is
 * limit / latency = 5 requests/s (the bulkhead queues the rest). Then a podcast of 40 given lines on the default-limits instance, whose built-in TTS answers each line
 * after 1 s (bench.sh sets audio.providers.simulated.latency there): the wall time from submit to
 * "succeeded" against the ideal for the TTS limit, ceil(lines / bulkheads.tts.max-concurrent) x 1 s.
 */
final class PodcastBench {
    private static final int LINES = 40;
    private static final int TTS_LIMIT = 5;          // bulkheads.tts.max-concurrent, the default
    private static final double TTS_SECONDS = 1.0;   // AUDIO_PROVIDERS_SIMULATED_LATENCY in bench.sh

    private static final int TTS_CLIENTS = 20;       // within bulkheads.tts.max-queue (20): all queue, none refused
    private static final int TTS_SECONDS_RUN = 10;

    private final Map<String, String> args;
    private final Report report;

    PodcastBench(Map<String, String> args, Report report) {
        this.args = args;
        this.report = report;
    }

    void run() throws Exception {
        URI sluice = URI.create(args.get("sluiceDefaults"));
        speech(sluice);
        Proc before = Proc.sample(Long.parseLong(args.getOrDefault("sluiceDefaultsPid", "0")));
        make(sluice, 5);   // warm-up: the first podcast loads the classes
        double[] runs = new double[3];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = make(sluice, LINES);
        }
        Proc after = Proc.sample(Long.parseLong(args.getOrDefault("sluiceDefaultsPid", "0")));
        double ideal = Math.ceil((double) LINES / TTS_LIMIT) * TTS_SECONDS;
        java.util.Arrays.sort(runs);
        report.section("Podcast: " + LINES + " lines through a 1 s TTS");
        report.line("The default-limits instance (bulkheads.tts.max-concurrent " + TTS_LIMIT + ", podcasts.parallelism 5), a given "
                    + LINES + "-line script (no LLM), the built-in TTS answering each line after 1 s; submit to `succeeded` "
                    + "polled every 50 ms; three podcasts one after another after a 5-line warm-up.");
        report.table("| lines | TTS limit | ideal s | wall s (best / median / worst) | median / ideal |",
                     java.util.List.of(String.format("| %d | %d | %.1f | %.2f / %.2f / %.2f | %.2f |", LINES, TTS_LIMIT, ideal,
                                                     runs[0], runs[1], runs[2], runs[1] / ideal)));
        report.line(Report.usage("Sluice (default limits), the four podcasts", before, after));
    }

    /** Requests/s of POST /v1/audio/speech from {@value #TTS_CLIENTS} looping clients, against limit / latency. */
    private void speech(URI sluice) throws Exception {
        String body = "{\"model\":\"sluice-tts\",\"input\":\"The quick brown fox jumps over the lazy dog.\",\"voice\":\"alloy\"}";
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentHashMap<Integer, Integer> other = new java.util.concurrent.ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        Proc before = Proc.sample(Long.parseLong(args.getOrDefault("sluiceDefaultsPid", "0")));
        long start = System.nanoTime();
        long end = start + TTS_SECONDS_RUN * 1_000_000_000L;
        try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < TTS_CLIENTS; i++) {
                clients.submit(() -> {
                    try (RawHttp c = new RawHttp(sluice, 60_000)) {
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            RawHttp.Response r = c.exchange("POST", "/v1/audio/speech", body);
                            if (r.status() == 200 && r.body().length > 44) {
                                ok.incrementAndGet();
                                latencies.record(System.nanoTime() - t0);
                            } else {
                                other.merge(r.status(), 1, Integer::sum);
                            }
                        }
                    }
                    return null;
                });
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Proc after = Proc.sample(Long.parseLong(args.getOrDefault("sluiceDefaultsPid", "0")));
        double ideal = TTS_LIMIT / TTS_SECONDS;
        report.section("Speech: POST /v1/audio/speech at the TTS limit, a 1 s TTS");
        report.line("The default-limits instance (bulkheads.tts: " + TTS_LIMIT + " at once, queue 20), the built-in TTS answering "
                    + "after 1 s; " + TTS_CLIENTS + " clients, each on its own connection, asking again as soon as a WAV "
                    + "arrives, for " + TTS_SECONDS_RUN + " s. Ceiling: limit / latency.");
        report.table("| clients | answered | other statuses | req/s | ideal req/s | req/s / ideal | latency p50 / p99 ms |",
                     java.util.List.of(String.format("| %d | %d | %s | %.2f | %.1f | %.2f | %s |", TTS_CLIENTS, ok.get(),
                                                     other.isEmpty() ? "none" : other.toString(), ok.get() / seconds, ideal,
                                                     ok.get() / seconds / ideal,
                                                     String.format("%.0f / %.0f", latencies.percentileMs(50), latencies.percentileMs(99)))));
        report.line(Report.usage("Sluice (default limits), the speech run", before, after));
    }

    /** Seconds from submit until the podcast has succeeded; NaN when it failed or took over two minutes. */
    private static double make(URI sluice, int lines) throws Exception {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            script.append(i % 2 == 0 ? "Ana" : "Ben").append(": line ").append(i).append(" of the benchmark episode.\\n");
        }
        String body = "{\"script\":\"" + script + "\",\"hosts\":[{\"name\":\"Ana\",\"voice\":\"alloy\"},"
                      + "{\"name\":\"Ben\",\"voice\":\"echo\"}]}";
        long start = System.nanoTime();
        String id;
        try (RawHttp c = new RawHttp(sluice, 30_000)) {
            id = RawHttp.field(new String(c.exchange("POST", "/v1/podcasts", body).body(), StandardCharsets.UTF_8), "id");
        }
        long end = start + 120_000_000_000L;
        while (System.nanoTime() < end) {
            String p = RawHttp.get(sluice, "/v1/podcasts/" + id);
            if (p.contains("\"status\":\"succeeded\"")) {
                return (System.nanoTime() - start) / 1e9;
            }
            if (p.contains("\"status\":\"failed\"")) {
                return Double.NaN;
            }
            Thread.sleep(50);
        }
        return Double.NaN;
    }
}
