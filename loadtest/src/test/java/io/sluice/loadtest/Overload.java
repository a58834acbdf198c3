package io.sluice.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.gatling.javaapi.core.ClosedInjectionStep;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Past the admission limits: concurrent users step up by the limit (read from GET /metrics) every
 * {@code step} to {@code factor} times it, then hold. Every answer must be a 200 or a fast 503 with
 * Retry-After (within the server's queue timeout plus a margin) — anything else fails the run — while
 * a monitor checks that in-flight counts never pass the limits, and once the load stops every permit
 * must be free. The end of the run prints 200s (goodput), 503s and peaks.
 * Knobs: {@code -Dtarget=chat|chat-stream|diag|diag-stream}, {@code -Dfactor=5}, {@code -Dstep=10s},
 * {@code -Dhold=30s}, {@code -Dsleep.ms=1000} (diag), {@code -Dreject.margin.ms=1000} or
 * {@code -Dreject.max.ms}, {@code -Dmax.errors=0}.
 */
public class Overload extends Simulation {
    private final String target = Load.str("target", "chat");
    private final Load.Limits limits = Load.Limits.fetch();
    private final boolean streaming = target.endsWith("stream");
    private final int limit = streaming ? limits.streams() : limits.requests();
    private final int factor = Load.integer("factor", 5);
    private final Duration step = Load.duration("step", "10s");
    private final Duration hold = Load.duration("hold", "30s");
    private final int rejectMaxMs = Load.integer("reject.max.ms",
            (int) limits.queueTimeoutMs() + Load.integer("reject.margin.ms", 1000));
    private final Duration loadTime = step.multipliedBy(factor).plus(hold);
    private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger[] peaks = {new AtomicInteger(), new AtomicInteger()};

    {
        Load.banner("Overload", target + ": " + limit + " to " + (factor * limit) + " concurrent users in steps of " + step
                + ", hold " + hold + "; limits " + limits + "; a 503 must come within " + rejectMaxMs + " ms");
        List<ClosedInjectionStep> steps = new ArrayList<>();
        for (int k = 1; k <= factor; k++) {
            steps.add(constantConcurrentUsers(k * limit).during(step));
        }
        steps.add(constantConcurrentUsers(factor * limit).during(hold));
        setUp(
                scenario("overload").exec(request())
                        .exec(s -> {
                            String st = s.contains("status") ? String.valueOf(s.getInt("status")) : "no response";
                            statuses.computeIfAbsent(st, k -> new LongAdder()).increment();
                            return s;
                        })
                        .injectClosed(steps)
                        .andThen(Chains.permitsFreeAfter(Duration.ofSeconds(30)).injectOpen(Injection.once())),
                Chains.monitor(limits, loadTime, Duration.ofSeconds(1), peaks).injectOpen(Injection.once()))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().count().lte((long) Load.integer("max.errors", 0)),
                        details("permits free after").failedRequests().count().is(0L));
    }

    private HttpRequestActionBuilder request() {
        HttpRequestActionBuilder r = switch (target) {
            case "chat" -> http("overload: chat").post("/v1/chat/completions").body(StringBody(Load.chatBody(false)));
            case "chat-stream" -> http("overload: chat stream").post("/v1/chat/completions")
                    .body(StringBody(Load.chatBody(true))).header("Accept", "text/event-stream");
            case "diag" -> http("overload: diag sleep").get("/diag/sleep?ms=" + Load.integer("sleep.ms", 1000));
            case "diag-stream" -> http("overload: diag stream").get("/diag/stream?events=10&interval_ms=100")
                    .header("Accept", "text/event-stream");
            default -> throw new IllegalArgumentException("-Dtarget must be chat, chat-stream, diag or diag-stream, got " + target);
        };
        r = r.check(status().in(200, 503).saveAs("status"))
             .checkIf((res, s) -> res.status().code() == 503)
             .then(header("Retry-After").exists(), responseTimeInMillis().lte(rejectMaxMs));
        if (streaming) {
            return r.checkIf((res, s) -> res.status().code() == 200).then(substring("[DONE]").exists());
        }
        if (target.equals("chat")) {
            return r.checkIf((res, s) -> res.status().code() == 200).then(jsonPath("$.choices[0].message.content").exists());
        }
        return r;
    }

    @Override
    public void after() {
        Map<String, Long> sorted = new TreeMap<>();
        statuses.forEach((k, v) -> sorted.put(k, v.sum()));
        long ok = sorted.getOrDefault("200", 0L);
        System.out.printf("== Overload %s: statuses %s; goodput %.1f/s over %ds; peak in flight %d requests, %d streams "
                        + "(limits %d/%d)%n", target, sorted, ok / (double) loadTime.toSeconds(), loadTime.toSeconds(),
                peaks[0].get(), peaks[1].get(), limits.requests(), limits.streams());
    }
}
