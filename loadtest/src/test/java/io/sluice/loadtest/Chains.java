package io.sluice.loadtest;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.SseConnectActionBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/** Request chains the simulations share. */
final class Chains {
    /** The end of an OpenAI stream as Gatling renders an SSE event: {"data":[DONE]}. */
    static final String DONE = "\"data\":\\[DONE\\]";
    /** Group path of a stream's time to its first data event (the TTFB): details(name, TTFB). */
    static final String TTFB = "time to first chunk";

    private Chains() {
    }

    /** A non-streamed chat completion, checked for OpenAI's shape. */
    static ChainBuilder chat() {
        return exec(http("chat").post("/v1/chat/completions")
                .body(StringBody(Load.chatBody(false)))
                .check(status().is(200),
                        jsonPath("$.object").is("chat.completion"),
                        jsonPath("$.choices[0].message.content").exists()));
    }

    /** A streamed chat completion; see {@link #stream}. */
    static ChainBuilder chatStream(Duration firstChunkTimeout, Duration totalTimeout) {
        return stream("chat stream",
                sse("chat stream: response headers").post("/v1/chat/completions").body(StringBody(Load.chatBody(true))),
                jsonPath("$.data.object").is("chat.completion.chunk"),
                firstChunkTimeout, totalTimeout);
    }

    /**
     * An SSE stream in a group named {@code name}, whose time is the total to {@code data: [DONE]}; its
     * inner group {@link #TTFB} runs from sending the request to the first data event — the time to
     * first byte a user feels (response headers alone may come earlier and say nothing). The entries
     * inside (headers, first chunk, [DONE]) follow one another with no gap, so a group's summed
     * response time (what Gatling's assertions use) equals its wall time (what the report shows with
     * useGroupDurationMetric). A stream that fails to connect fails once and the user stops there.
     */
    static ChainBuilder stream(String name, SseConnectActionBuilder connect, CheckBuilder firstChunk,
                               Duration firstChunkTimeout, Duration totalTimeout) {
        return group(name).on(
                group(TTFB).on(exec(connect.await(firstChunkTimeout).on(
                                sse.checkMessage(name + ": first chunk").check(firstChunk))))
                        .exitHereIfFailed()
                        // Set synchronously on the event loop that delivers the events, so [DONE] cannot slip past.
                        .exec(sse(name + ": until [DONE]").setCheck().await(totalTimeout).on(
                                sse.checkMessage(name + ": [DONE]").matching(regex(DONE)).check(regex(DONE).exists())))
                        .exec(sse(name + ": close").close()));
    }

    /**
     * Once the load has stopped: waits (bounded) for the server's in-flight counts to drain, then
     * checks that every admission permit is free. A leaked permit fails the run.
     */
    static ScenarioBuilder permitsFreeAfter(Duration settle) {
        long polls = Math.max(1, settle.toSeconds());
        return scenario("permits free after").exec(
                asLongAs(s -> !"0/0".equals(s.getString("inFlight")) && Load.counter(s, "settle") < polls,
                        "settle").on(
                        exec(http("metrics (settling)").get("/metrics")
                                .check(jsonPath("$.concurrency.current_concurrent_requests").saveAs("req"),
                                        jsonPath("$.concurrency.current_concurrent_streaming").saveAs("str")))
                                .exec(s -> s.set("inFlight", s.getString("req") + "/" + s.getString("str")))
                                .exitHereIfFailed()
                                .doIf(s -> !"0/0".equals(s.getString("inFlight"))).then(pause(Duration.ofSeconds(1)))),
                exec(http("permits free after").get("/metrics")
                        .check(jsonPath("$.concurrency.current_concurrent_requests").ofInt().is(0),
                                jsonPath("$.concurrency.current_concurrent_streaming").ofInt().is(0))));
    }

    /**
     * Samples GET /metrics (never gated by admission) every {@code every} for {@code total}: in flight
     * must never exceed the limits. Peaks land in {@code peaks} for the end-of-run summary.
     */
    static ScenarioBuilder monitor(Load.Limits limits, Duration total, Duration every, AtomicInteger[] peaks) {
        return scenario("monitor").exec(during(total).on(
                exec(http("in flight within limits").get("/metrics")
                        .check(jsonPath("$.concurrency.current_concurrent_requests").ofInt().lte(limits.requests())
                                        .saveAs("req"),
                                jsonPath("$.concurrency.current_concurrent_streaming").ofInt().lte(limits.streams())
                                        .saveAs("str")))
                        .exec(s -> {
                            if (s.contains("req")) {
                                peaks[0].accumulateAndGet(s.getInt("req"), Math::max);
                                peaks[1].accumulateAndGet(s.getInt("str"), Math::max);
                            }
                            return s;
                        })
                        .pause(every)));
    }
}
