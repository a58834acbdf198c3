package io.sluice.loadtest;

import java.time.Duration;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * Streamed chat completions (SSE) at a fixed arrival rate. The report's group
 * {@code chat stream / time to first chunk} is the time to first byte that matters — request sent to
 * first {@code data:} event — and the group {@code chat stream} is the total time to
 * {@code data: [DONE]} (see {@link Chains#stream}). Knobs: {@code -Drate=2}, {@code -Dduration=30s},
 * {@code -Dramp=0s}, {@code -Dmax.error.pct=1}, {@code -Dttfb.p95.ms=3000}, {@code -Dtotal.p95.ms=10000},
 * {@code -Dttfb.timeout=60s}, {@code -Dtotal.timeout=300s}, {@code -Dmodel -Dprompt -Dmax.tokens}.
 */
public class ChatStreaming extends Simulation {
    private final double rate = Load.number("rate", 2);
    private final Duration duration = Load.duration("duration", "30s");
    private final Duration ramp = Load.duration("ramp", "0s");

    {
        Load.banner("ChatStreaming", rate + " streams/s for " + duration + " (ramp " + ramp + "), model " + Load.model());
        setUp(scenario("chat stream")
                .exec(Chains.chatStream(Load.duration("ttfb.timeout", "60s"), Load.duration("total.timeout", "300s")))
                .injectOpen(Injection.rate(rate, ramp, duration))
                .andThen(Chains.permitsFreeAfter(Duration.ofSeconds(10)).injectOpen(Injection.once())))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().percent().lte(Load.number("max.error.pct", 1)),
                        details("chat stream", Chains.TTFB).responseTime().percentile(95.0)
                                .lt(Load.integer("ttfb.p95.ms", 3000)),
                        details("chat stream").responseTime().percentile(95.0).lt(Load.integer("total.p95.ms", 10000)),
                        details("chat stream").failedRequests().percent().lte(Load.number("max.error.pct", 1)),
                        details("permits free after").failedRequests().count().is(0L));
    }
}
