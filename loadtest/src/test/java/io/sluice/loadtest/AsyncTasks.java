package io.sluice.loadtest;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Async tasks: submit (202 with task_id, status, status_url), then poll until the task is succeeded,
 * failed or cancelled, at most {@code poll.timeout}. The group {@code task} fails unless the task
 * succeeded within that time. The end of the run prints how tasks ended and their completion times
 * (submission to the poll that saw the final status, so to within one poll interval): Gatling's
 * assertions on a group only see its requests' summed response times, which leave the polling
 * pauses out, so the completion time is bounded by {@code poll.timeout} instead.
 * Knobs: {@code -Drate=2} (submissions/s), {@code -Dduration=30s}, {@code -Dramp=0s},
 * {@code -Dpoll.interval=500ms}, {@code -Dpoll.timeout=120s}, {@code -Dtask.body='{...}'},
 * {@code -Dpoll=true} (false: submit only), {@code -Dmax.error.pct=1}, {@code -Dsubmit.p95.ms=1000}.
 */
public class AsyncTasks extends Simulation {
    private static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");

    private final double rate = Load.number("rate", 2);
    private final Duration duration = Load.duration("duration", "30s");
    private final Duration ramp = Load.duration("ramp", "0s");
    private final Duration pollInterval = Load.duration("poll.interval", "500ms");
    private final long maxPolls = Math.max(1, Load.duration("poll.timeout", "120s").toMillis() / Math.max(1, pollInterval.toMillis()));
    private final String body = Load.str("task.body", Load.chatBody(false));   // POST /v1/tasks takes a chat request
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final Queue<Long> completionMs = new ConcurrentLinkedQueue<>();

    private final boolean poll = Load.bool("poll", true);

    private final ChainBuilder submit = exec(s -> s.set("submittedAt", System.currentTimeMillis()))
            .exec(http("submit task").post("/v1/tasks").body(StringBody(body))
                    .check(status().is(202),
                            jsonPath("$.task_id").saveAs("taskId"),
                            jsonPath("$.status").saveAs("taskStatus"),
                            jsonPath("$.status_url").optional().saveAs("statusUrl")));

    private final ChainBuilder untilFinished = exec(asLongAs(s -> !finished(s) && Load.counter(s, "poll") < maxPolls, "poll").on(
            pause(pollInterval)
                    .exec(http("poll task").get(AsyncTasks::statusUrl)
                            .check(status().is(200), jsonPath("$.status").saveAs("taskStatus")))
                    .exitHereIfFailed()))
            .exec(s -> {
                String outcome = finished(s) ? s.getString("taskStatus") : "not finished in time";
                outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                if (!"succeeded".equals(outcome)) {
                    return s.markAsFailed();
                }
                completionMs.add(System.currentTimeMillis() - s.getLong("submittedAt"));
                return s;
            });

    /** With -Dpoll=false only submissions are made: a measure of how fast tasks are accepted. */
    private final ChainBuilder task = group("task").on(poll ? submit.exitHereIfFailed().exec(untilFinished) : submit);

    {
        Load.banner("AsyncTasks", rate + " submissions/s for " + duration + (poll ? ", polling every " + pollInterval
                + " up to " + maxPolls + " times" : ", submissions only (-Dpoll=false)"));
        setUp(scenario("async tasks").exec(task).injectOpen(Injection.rate(rate, ramp, duration)))
                .protocols(Load.protocol())
                .assertions(
                        global().failedRequests().percent().lte(Load.number("max.error.pct", 1)),
                        details("task", "submit task").responseTime().percentile(95.0).lt(Load.integer("submit.p95.ms", 1000)),
                        details("task").failedRequests().percent().lte(Load.number("max.error.pct", 1)));
    }

    @Override
    public void after() {
        if (!poll) {
            return; // nothing was polled: the console summary has the submissions
        }
        Map<String, Long> sorted = new TreeMap<>();
        outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
        long[] ms = completionMs.stream().mapToLong(Long::longValue).sorted().toArray();
        String times = ms.length == 0 ? "none succeeded" : String.format("p50 %d ms, p95 %d ms, p99 %d ms, max %d ms",
                ms[(int) (ms.length * 0.50)], ms[(int) Math.min(ms.length - 1, ms.length * 0.95)],
                ms[(int) Math.min(ms.length - 1, ms.length * 0.99)], ms[ms.length - 1]);
        System.out.println("== AsyncTasks outcomes: " + sorted + "; completion (submit to final status): " + times);
    }

    private static boolean finished(Session s) {
        return FINISHED.contains(s.getString("taskStatus"));
    }

    private static String statusUrl(Session s) {
        String url = s.getString("statusUrl");
        return url != null && !url.isBlank() ? url : "/v1/tasks/" + s.getString("taskId");
    }
}
