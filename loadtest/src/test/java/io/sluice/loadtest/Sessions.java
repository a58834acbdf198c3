package io.sluice.loadtest;

import java.time.Duration;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Conversations: each user creates a session, chats {@code turns} times in it and reads the history
 * back, which must hold at least both sides of every turn. Knobs: {@code -Drate=1} (new sessions/s),
 * {@code -Dduration=30s}, {@code -Dramp=0s}, {@code -Dturns=3}, {@code -Dstream=false} (SSE turns),
 * {@code -Dmax.error.pct=1}, {@code -Dchat.p95.ms=5000}, {@code -Dcreate.p95.ms=1000},
 * {@code -Dhistory.p95.ms=1000}.
 */
public class Sessions extends Simulation {
    private final double rate = Load.number("rate", 1);
    private final Duration duration = Load.duration("duration", "30s");
    private final Duration ramp = Load.duration("ramp", "0s");
    private final int turns = Load.integer("turns", 3);
    private final boolean stream = Load.bool("stream", false);

    private final ChainBuilder turn = stream
            ? Chains.stream("session chat stream",
                    sse("session chat stream: response headers").post("/v1/sessions/#{sessionId}/chat")
                            .body(StringBody(message(true))),
                    regex("\"data\":").exists(), Duration.ofSeconds(60), Duration.ofSeconds(300))
            : exec(http("session chat").post("/v1/sessions/#{sessionId}/chat").body(StringBody(message(false)))
                    .check(status().is(200), jsonPath("$..content").exists()));

    private final ChainBuilder conversation = exec(
            http("create session").post("/v1/sessions")
                    .body(StringBody(s -> "{\"user\":\"load-" + s.userId() + "\",\"title\":\"load test\","
                            + "\"system_prompt\":\"Answer in one short sentence.\"}"))
                    .check(status().in(200, 201), jsonPath("$.id").saveAs("sessionId")))
            .exitHereIfFailed()
            .exec(repeat(turns, "turn").on(turn))
            .exec(http("session history").get("/v1/sessions/#{sessionId}/messages")
                    .check(status().is(200), jsonPath("$..content").count().gte(2 * turns)));

    {
        Load.banner("Sessions", rate + " sessions/s for " + duration + ", " + turns + " turn(s) each, "
                + (stream ? "streamed" : "not streamed"));
        String chatName = stream ? "session chat stream" : "session chat";
        setUp(scenario("sessions").exec(conversation).injectOpen(Injection.rate(rate, ramp, duration))
                .andThen(Chains.permitsFreeAfter(Duration.ofSeconds(10)).injectOpen(Injection.once())))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().percent().lte(Load.number("max.error.pct", 1)),
                        details("create session").responseTime().percentile(95.0).lt(Load.integer("create.p95.ms", 1000)),
                        details(chatName).responseTime().percentile(95.0).lt(Load.integer("chat.p95.ms", 5000)),
                        details("session history").responseTime().percentile(95.0).lt(Load.integer("history.p95.ms", 1000)),
                        details("permits free after").failedRequests().count().is(0L));
    }

    private static String message(boolean stream) {
        return "{\"message\":\"" + Load.prompt() + "\",\"stream\":" + stream + "}";
    }
}
