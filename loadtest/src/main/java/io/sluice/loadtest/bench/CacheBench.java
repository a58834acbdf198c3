package io.sluice.loadtest.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The response cache: an exact hit (model {@code cached} of the lean instance, cache.mode exact)
 * against the bare pass-through, and the built-in embedding model's cost per /v1/embeddings request.
 */
final class CacheBench {
    private final Map<String, String> args;
    private final Report report;

    CacheBench(Map<String, String> args, Report report) {
        this.args = args;
        this.report = report;
    }

    void run() throws Exception {
        int conns = Integer.parseInt(args.getOrDefault("connections", "50"));
        Duration d = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "10")));
        URI bare = URI.create(args.get("hello"));
        URI lean = URI.create(args.get("sluiceLean"));
        String body = Bench.chat("cached", false);
        String header = prime(lean, body);
        report.section("Response cache: an exact hit against the bare pass-through");
        report.line("Lean instance, model `cached` (cache.mode exact, the same request each time: every answer after the first is "
                    + "a hit from Redis; the check request said `X-Sluice-Cache: " + header + "`). Closed loop, " + conns
                    + " keep-alive connections, " + d.toSeconds() + " s each after a " + d.toSeconds() + " s warm-up; the better of "
                    + "two runs of each, alternating.");
        ClosedLoop.run(bare, conns, d, "POST", "/v1/chat/completions", Bench.chat("sim", false));
        ClosedLoop.run(lean, conns, d, "POST", "/v1/chat/completions", body);
        List<ClosedLoop.Run> best = ClosedLoop.bestAlternating(2, List.of(
                () -> ClosedLoop.run(bare, conns, d, "POST", "/v1/chat/completions", Bench.chat("sim", false)),
                () -> ClosedLoop.run(lean, conns, d, "POST", "/v1/chat/completions", body)));
        ClosedLoop.Run b = best.get(0);
        ClosedLoop.Run hit = best.get(1);
        List<String> rows = new ArrayList<>();
        rows.add(String.format("| bare Helidon pass-through | %d | %s | 1.00 |", conns, Report.cells(b)));
        rows.add(String.format("| Sluice lean, exact cache hit | %d | %s | %.2f |", conns, Report.cells(hit), hit.rps() / b.rps()));
        report.table("| path | connections | req/s | p50 ms | p95 ms | p99 ms | errors | ratio to bare |", rows);
        report.line(String.format("Built-in embedding model (all-MiniLM-L6-v2 q), one short input per POST /v1/embeddings, "
                                  + "one at a time after 5 warm-up calls: p50 %.1f ms, p99 %.1f ms per request.", embed(lean, 50), embed(lean, 99)));
    }

    /** The first request stores the answer; the second says whether it was a hit. */
    private static String prime(URI base, String body) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        client.send(req, HttpResponse.BodyHandlers.discarding());
        return client.send(req, HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Sluice-Cache").orElse("none");
    }

    private double[] embedNanos;

    private double embed(URI base, int percentile) throws Exception {
        if (embedNanos == null) {
            HttpClient client = HttpClient.newHttpClient();
            embedNanos = new double[40];
            for (int i = -5; i < embedNanos.length; i++) {
                HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/embeddings")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"all-minilm-l6-v2\",\"input\":\"what is the capital "
                                                                   + "city of France, question " + i + "\"}")).build();
                long start = System.nanoTime();
                client.send(req, HttpResponse.BodyHandlers.discarding());
                if (i >= 0) {
                    embedNanos[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            Arrays.sort(embedNanos);
        }
        return embedNanos[Math.min(embedNanos.length - 1, embedNanos.length * percentile / 100)];
    }
}
