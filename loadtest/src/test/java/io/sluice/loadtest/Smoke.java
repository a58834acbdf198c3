package io.sluice.loadtest;

import java.time.Duration;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Is the server up and wired? Probes, metrics, the /diag endpoints (a delayed answer, an echo, an SSE
 * stream) and, unless {@code -Dsmoke.chat=false}, the chat API streamed and not. Any failure fails it.
 * Knobs: {@code -Dusers=1}.
 */
public class Smoke extends Simulation {
    private final boolean chat = Load.bool("smoke.chat", true);
    private final int users = Load.integer("users", 1);

    private final ChainBuilder probes = exec(
            http("health").get("/health").check(status().is(200), jsonPath("$.status").is("healthy")),
            http("liveness").get("/observe/health/live").check(status().is(200)),
            http("metrics").get("/metrics")
                    .check(status().is(200), jsonPath("$.concurrency.max_concurrent_requests").ofInt().gt(0)),
            http("prometheus").get("/observe/metrics").header("Accept", "text/plain")
                    .check(status().is(200), substring("sluice_admission_in_flight").exists()));

    private final ChainBuilder diag = exec(
            http("diag echo").post("/diag/echo").body(StringBody("{\"hello\":\"sluice\"}"))
                    .check(status().is(200), jsonPath("$.echo.hello").is("sluice")),
            http("diag sleep").get("/diag/sleep?ms=50").check(status().is(200), jsonPath("$.slept_ms").ofInt().is(50)))
            .exec(Chains.stream("diag stream", sse("diag stream: response headers").get("/diag/stream?events=5&interval_ms=20"),
                    jsonPath("$.data.event").ofInt().is(1), Duration.ofSeconds(10), Duration.ofSeconds(30)));

    private final ChainBuilder chatApi = exec(
            http("models").get("/v1/models").check(status().is(200), jsonPath("$.data[0].id").exists()))
            .exec(Chains.chat())
            .exec(Chains.chatStream(Duration.ofSeconds(60), Duration.ofSeconds(120)));

    {
        Load.banner("Smoke", users + " user(s), chat " + (chat ? "on" : "off"));
        ChainBuilder all = chat ? probes.exec(diag).exec(chatApi) : probes.exec(diag);
        setUp(scenario("smoke").exec(all).injectOpen(atOnceUsers(users)))
                .protocols(Load.protocol())
                .assertions(global().failedRequests().count().is(0L));
    }
}
