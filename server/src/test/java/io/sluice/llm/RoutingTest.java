package io.sluice.llm;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.FakeUpstream;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.FakeUpstream.fail;
import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing across deployments against two real fake upstreams: a weighted tier splits traffic by its
 * weights, least-busy sends past a target that is busy, and a failing target's circuit breaker opens,
 * keeps traffic away for the cooldown, lets a probe through after it and closes when probes succeed.
 */
class RoutingTest {
    private static final Duration COOLDOWN = Duration.ofSeconds(3);

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension(new String[] {"east", "west"}, Map.ofEntries(
            Map.entry("llm.models.split.route", "east:split-m*3 | west:split-m*1"),
            Map.entry("llm.models.idle.route", "east:idle-m | west:idle-m"),
            Map.entry("llm.models.idle.strategy", "least-busy"),
            Map.entry("llm.models.quick.route", "east:quick-m | west:quick-m"),
            Map.entry("llm.models.quick.strategy", "lowest-latency"),
            Map.entry("llm.models.quick-warm-up.route", "east:quick-m | west:quick-m"),   // the same two targets, by weight
            Map.entry("llm.models.recover.route", "east:recover-m | west:recover-m"),
            Map.entry("llm.models.recover.strategy", "lowest-latency"),
            Map.entry("llm.models.guarded.route", "east:guarded-m, west:guarded-m"),
            Map.entry("llm.retry.max-attempts", "1"),
            Map.entry("llm.breaker.consecutive-failures", "3"),
            Map.entry("llm.breaker.cooldown", COOLDOWN.toMillis() + "ms"),
            Map.entry("llm.breaker.half-open-probes", "2")));

    private static HttpResponse<String> chat(String model) {
        return gateway.server().postJson("/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static String provider(HttpResponse<String> res) {
        return res.headers().firstValue("X-Sluice-Provider").orElse("");
    }

    /** The target's entry in GET /metrics → routing.targets. */
    private static JsonNode target(String key) {
        for (JsonNode t : json(gateway.server().get("/metrics")).at("/routing/targets")) {
            if (t.get("target").asText().equals(key)) {
                return t;
            }
        }
        throw new AssertionError("no target " + key + " in /metrics");
    }

    @Test
    void weightedTierSplitsTrafficByWeight() throws Exception {
        int n = 2000;
        AtomicInteger ok = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(pool.submit(() -> {
                    if (chat("split").statusCode() == 200) {
                        ok.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertEquals(n, ok.get());
        int east = gateway.upstream("east").calls();
        int west = gateway.upstream("west").calls();
        assertEquals(n, east + west);
        double eastShare = east / (double) n;
        assertTrue(Math.abs(eastShare - 0.75) <= 0.05, "east (weight 3 of 4) got " + east + " of " + n);
        assertTrue(Math.abs(west / (double) n - 0.25) <= 0.05, "west (weight 1 of 4) got " + west + " of " + n);
    }

    @Test
    void leastBusySendsPastTheBusyTarget() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        gateway.upstream("east").byDefault(FakeUpstream.holdUntil(release));
        gateway.upstream("west").byDefault(FakeUpstream.holdUntil(release));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> held = pool.submit(() -> chat("idle"));
            await("one call held", Duration.ofSeconds(10),
                  () -> gateway.upstream("east").calls() + gateway.upstream("west").calls() == 1);
            String busy = gateway.upstream("east").calls() == 1 ? "east" : "west";
            String idle = busy.equals("east") ? "west" : "east";
            assertEquals(1, target(busy + ":idle-m").get("in_flight").asInt(), "the held call is in flight in /metrics");
            gateway.upstream(idle).byDefault(FakeUpstream.reply(3, Duration.ZERO));
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> res = chat("idle");
                assertEquals(200, res.statusCode(), res.body());
                assertEquals(idle, provider(res), "the idle target serves while the other holds a call");
            }
            assertEquals(1, gateway.upstream(busy).calls());
            release.countDown();
            assertEquals(200, held.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void lowestLatencyPrefersTheTargetThatAnswersFirst() {
        // Both targets measured warm (a cold first call can be slow on a loaded machine), by weight so each gets calls.
        for (int i = 0; i < 40; i++) {
            assertEquals(200, chat("quick-warm-up").statusCode());
        }
        gateway.upstream("east").byDefault(FakeUpstream.delayed(Duration.ofMillis(300), FakeUpstream.reply(3, Duration.ZERO)));
        int west = 0;
        for (int i = 0; i < 20; i++) {
            if (provider(chat("quick")).equals("west")) {
                west++;
            }
        }
        assertTrue(west >= 16, "the fast target serves all but the odd exploring call: west " + west + " of 20");
        assertTrue(target("east:quick-m").get("latency_ms").asDouble() > target("west:quick-m").get("latency_ms").asDouble());
    }

    @Test
    void lowestLatencyMeasuresATargetThatWasSlowOnceAgainAndGivesItTrafficBack() {
        for (int i = 0; i < 10; i++) {   // connections to both fakes warm, so only the delays below tell the targets apart
            assertEquals(200, chat("quick-warm-up").statusCode());
        }
        FakeUpstream east = gateway.upstream("east");
        east.then(FakeUpstream.delayed(Duration.ofSeconds(1), FakeUpstream.reply(3, Duration.ZERO)));   // one bad sample
        east.byDefault(FakeUpstream.reply(3, Duration.ZERO));                                           // then fast for good
        gateway.upstream("west").byDefault(FakeUpstream.delayed(Duration.ofMillis(40), FakeUpstream.reply(3, Duration.ZERO)));

        // Both unmeasured targets are tried first, then west (40 ms) beats east (1 s) until east, passed over
        // about Deployment.STALE_AFTER times, gets a probe whose fast answer replaces its estimate. The count is
        // kept on one choice in 8 (as 8): 4 x STALE_AFTER requests are far beyond its spread.
        int bound = 2 + 4 * Deployment.STALE_AFTER;
        List<String> served = new ArrayList<>();
        while (served.size() < bound && !(served.contains("east") && served.size() >= 5
                                          && served.subList(served.size() - 5, served.size()).stream().allMatch("east"::equals))) {
            HttpResponse<String> res = chat("recover");
            assertEquals(200, res.statusCode(), res.body());
            served.add(provider(res));
        }
        int firstEast = served.indexOf("east");
        assertTrue(firstEast >= 0 && firstEast <= 3, "an unmeasured target is tried first: " + served);
        assertTrue(served.subList(firstEast, served.size()).stream().filter("west"::equals).count() >= 10,
                   "west served after east's slow answer: " + served);
        int eastAfter = 0;
        for (int i = 0; i < 10; i++) {
            if (provider(chat("recover")).equals("east")) {
                eastAfter++;
            }
        }
        assertTrue(eastAfter >= 8, "within " + bound + " requests east, measured fast again, serves all but the odd exploring "
                                   + "or probing call: " + eastAfter + " of 10 after " + served.size() + " " + served + ", "
                                   + "east at " + target("east:recover-m").get("latency_ms") + " ms, west at "
                                   + target("west:recover-m").get("latency_ms") + " ms");
    }

    @Test
    void failingTargetOpensItsBreakerIsSkippedDuringTheCooldownAndProbedAfterIt() {
        FakeUpstream east = gateway.upstream("east");
        east.byDefault(fail(500));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> res = chat("guarded");
            assertEquals(200, res.statusCode(), res.body());
            assertEquals("west", provider(res), "east fails, its fallback serves");
        }
        assertEquals(3, east.calls());
        assertEquals("open", target("east:guarded-m").get("state").asText(), "3 failures in a row open it");
        String prometheus = gateway.server().get("/observe/metrics").body();
        assertTrue(prometheus.matches("(?s).*sluice_llm_target_state\\{[^}]*model=\"guarded-m\"[^}]*provider=\"east\"[^}]*} 1\\.0.*"),
                   "state gauge 1 (open):\n" + prometheus);

        east.byDefault(FakeUpstream.reply(3, Duration.ZERO));   // healthy again, but the breaker does not know it yet
        for (int i = 0; i < 5; i++) {
            assertEquals("west", provider(chat("guarded")), "no traffic to an open target during its cooldown");
        }
        assertEquals(3, east.calls(), "east got nothing while open");

        await("a probe reaches east after the cooldown", COOLDOWN.multipliedBy(4), () -> {
            chat("guarded");
            return east.calls() > 3;
        });
        await("probes succeed and close it", Duration.ofSeconds(10), () -> {
            chat("guarded");
            return target("east:guarded-m").get("state").asText().equals("closed");
        });
        assertEquals("east", provider(chat("guarded")), "closed again: the first tier serves");
        assertTrue(target("east:guarded-m").get("opened").asInt() >= 1);
    }

    @Test
    void routesAreShownInMetrics() {
        JsonNode models = json(gateway.server().get("/metrics")).at("/routing/models");
        assertEquals("weighted", models.at("/split/strategy").asText());
        assertEquals("east:split-m*3", models.at("/split/tiers/0/0").asText());
        assertEquals("least-busy", models.at("/idle/strategy").asText());
        assertEquals(2, models.at("/guarded/tiers").size(), "two tiers in fallback order");
    }
}
