package io.sluice.ratelimit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real upstream failing 20% of calls lowers the provider's adaptive rate; once it recovers, the rate rises. */
class UpstreamLimiterTest {
    private static final Pattern GAUGE = Pattern.compile("sluice_upstream_rate\\{[^}]*provider=\"fake\"[^}]*} ([0-9.E]+)");
    private static final String CHAT = "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void errorsLowerTheRateAndRecoveryRaisesIt() {
        AtomicInteger calls = new AtomicInteger();
        try (TestGateway gateway = TestGateway.start("fake", Map.of(
                     "llm.models.fake-model.route", "fake:upstream-model",
                     "llm.retry.max-attempts", "1",
                     "ratelimit.upstream.initial-rate", "100",
                     "ratelimit.upstream.interval", "200ms",
                     "ratelimit.upstream.min-samples", "10"))) {
            FakeUpstream fake = gateway.upstream();
            TestServer server = gateway.server();
            fake.byDefault((f, exchange, request) -> (calls.incrementAndGet() % 5 == 0
                    ? FakeUpstream.fail(500) : FakeUpstream.reply(3, Duration.ZERO)).respond(f, exchange, request));
            assertEquals(100.0, rate(server), 0.001);

            double lowered = drive(server, r -> r < 100, Duration.ofSeconds(20));
            assertTrue(lowered <= 80.0 + 1e-9, "20% errors lower the rate by 20%: " + lowered);

            fake.byDefault(FakeUpstream.reply(3, Duration.ZERO));
            double raised = drive(server, r -> r > lowered, Duration.ofSeconds(20));
            assertTrue(raised > lowered, "recovery raises the rate: " + lowered + " -> " + raised);
        }
    }

    /** Sends chat calls (bounded in time) until the gauge satisfies the condition; returns it. */
    private static double drive(TestServer server, java.util.function.DoublePredicate done, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10; i++) {
                int status = server.postJson("/v1/chat/completions", CHAT).statusCode();
                assertTrue(status == 200 || status == 502, "status " + status);
            }
            double r = rate(server);
            if (done.test(r)) {
                return r;
            }
        }
        throw new AssertionError("rate never changed as expected; last " + rate(server));
    }

    private static double rate(TestServer server) {
        Matcher m = GAUGE.matcher(server.get("/observe/metrics").body());
        assertTrue(m.find(), "gauge sluice_upstream_rate{provider=\"fake\"} present");
        return Double.parseDouble(m.group(1));
    }
}
