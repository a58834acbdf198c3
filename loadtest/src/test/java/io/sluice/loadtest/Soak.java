package io.sluice.loadtest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Long, modest load — a mix of streamed and non-streamed chat — while a monitor checks that in-flight
 * counts stay within the limits and samples the server's heap; at the end every permit must be free,
 * and the heap samples are printed (first, last, highest) to spot growth. Knobs: {@code -Drate=2}
 * (users/s), {@code -Dduration=10m}, {@code -Dstream.pct=30}, {@code -Dtarget=chat|diag},
 * {@code -Dmonitor.every=10s}, {@code -Dmax.error.pct=0.5}, {@code -Dp95.ms=5000}, {@code -Dttfb.p95.ms=3000}.
 */
public class Soak extends Simulation {
    private final double rate = Load.number("rate", 2);
    private final Duration duration = Load.duration("duration", "10m");
    private final double streamPct = Load.number("stream.pct", 30);
    private final String target = Load.str("target", "chat");
    private final Duration every = Load.duration("monitor.every", "10s");
    private final Load.Limits limits = Load.Limits.fetch();
    private final AtomicInteger[] peaks = {new AtomicInteger(), new AtomicInteger()};
    private final List<Double> heapMb = new CopyOnWriteArrayList<>();

    {
        Load.banner("Soak", target + ", " + rate + " users/s for " + duration + ", " + streamPct + "% streamed; limits " + limits);
        boolean diag = target.equals("diag");
        String plainName = diag ? "diag sleep" : "chat";
        String streamName = diag ? "diag stream" : "chat stream";
        ChainBuilder plain = diag
                ? exec(http("diag sleep").get("/diag/sleep?ms=500").check(status().is(200)))
                : Chains.chat();
        ChainBuilder streamed = diag
                ? Chains.stream("diag stream", sse("diag stream: response headers").get("/diag/stream?events=20&interval_ms=100"),
                        jsonPath("$.data.event").ofInt().is(1), Duration.ofSeconds(60), Duration.ofSeconds(300))
                : Chains.chatStream(Duration.ofSeconds(60), Duration.ofSeconds(300));
        ScenarioBuilder mix = scenario("soak").exec(randomSwitch().on(
                percent(streamPct).then(streamed),
                percent(100 - streamPct).then(plain)));
        setUp(
                mix.injectOpen(Injection.rate(rate, Duration.ZERO, duration))
                        .andThen(Chains.permitsFreeAfter(Duration.ofSeconds(30)).injectOpen(Injection.once())),
                Chains.monitor(limits, duration, every, peaks).injectOpen(Injection.once()),
                heap().injectOpen(Injection.once()))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().percent().lte(Load.number("max.error.pct", 0.5)),
                        details(plainName).responseTime().percentile(95.0).lt(Load.integer("p95.ms", 5000)),
                        details(streamName, Chains.TTFB).responseTime().percentile(95.0).lt(Load.integer("ttfb.p95.ms", 3000)),
                        details("permits free after").failedRequests().count().is(0L));
    }

    /** Samples the JVM heap in use from the Prometheus endpoint (a trend, not a leak verdict: GC decides). */
    private ScenarioBuilder heap() {
        return scenario("heap").exec(during(duration).on(
                exec(http("heap sample").get("/observe/metrics").header("Accept", "text/plain")
                        .check(status().is(200),
                                regex("(?m)^memory_usedHeap_bytes\\{[^}]*\\} ([0-9.eE+-]+)").optional().saveAs("heap")))
                        .exec(s -> {
                            if (s.contains("heap")) {
                                heapMb.add(Double.parseDouble(s.getString("heap")) / (1024 * 1024));
                            }
                            return s;
                        })
                        .pause(every)));
    }

    @Override
    public void after() {
        String heap = heapMb.isEmpty() ? "no samples"
                : String.format("first %.0f MB, last %.0f MB, highest %.0f MB over %d samples", heapMb.getFirst(),
                        heapMb.getLast(), heapMb.stream().mapToDouble(d -> d).max().orElse(0), heapMb.size());
        System.out.printf("== Soak: server heap %s; peak in flight %d requests, %d streams (limits %d/%d)%n",
                heap, peaks[0].get(), peaks[1].get(), limits.requests(), limits.streams());
    }
}
