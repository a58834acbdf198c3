package io.sluice.loadtest;

import java.time.Duration;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * Non-streamed chat completions at a fixed arrival rate (an open model: users keep arriving whether
 * or not the server keeps up, as real clients do). Knobs: {@code -Drate=5} (requests/s),
 * {@code -Dduration=30s}, {@code -Dramp=0s}, {@code -Dmax.error.pct=1}, {@code -Dp95.ms=5000},
 * {@code -Dp99.ms=10000}, and the request's {@code -Dmodel -Dprompt -Dmax.tokens}.
 */
public class ChatNonStreaming extends Simulation {
    private final double rate = Load.number("rate", 5);
    private final Duration duration = Load.duration("duration", "30s");
    private final Duration ramp = Load.duration("ramp", "0s");

    {
        Load.banner("ChatNonStreaming", rate + " req/s for " + duration + " (ramp " + ramp + "), model " + Load.model());
        setUp(scenario("chat").exec(Chains.chat()).injectOpen(Injection.rate(rate, ramp, duration))
                .andThen(Chains.permitsFreeAfter(Duration.ofSeconds(10)).injectOpen(Injection.once())))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().percent().lte(Load.number("max.error.pct", 1)),
                        details("chat").responseTime().percentile(95.0).lt(Load.integer("p95.ms", 5000)),
                        details("chat").responseTime().percentile(99.0).lt(Load.integer("p99.ms", 10000)),
                        details("permits free after").failedRequests().count().is(0L));
    }
}
