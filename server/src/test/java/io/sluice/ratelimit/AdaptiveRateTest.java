package io.sluice.ratelimit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AIMD arithmetic with a hand-driven clock: -20% above 10% errors, +20% under 2%, within [min, max]. */
class AdaptiveRateTest {
    static final RateLimitSettings.Upstream SETTINGS = new RateLimitSettings.Upstream(
            true, 100, 10, 1000, 0.8, 1.2, 0.10, 0.02, Duration.ofSeconds(1), 20, Duration.ofMillis(250));

    @Test
    void dropsOnErrorsRisesOnRecoveryStaysInBounds() {
        AtomicLong now = new AtomicLong();
        AdaptiveRate r = new AdaptiveRate(SETTINGS, now::get);
        interval(r, now, 20, 4);                 // 20% errors
        assertEquals(80, r.rate(), 0.001);
        interval(r, now, 20, 1);                 // 5%: between the thresholds, unchanged
        assertEquals(80, r.rate(), 0.001);
        interval(r, now, 50, 0);
        assertEquals(96, r.rate(), 0.001);
        for (int i = 0; i < 40; i++) {
            interval(r, now, 20, 20);
        }
        assertEquals(10, r.rate(), 0.001, "never below min-rate");
        for (int i = 0; i < 60; i++) {
            interval(r, now, 20, 0);
        }
        assertEquals(1000, r.rate(), 0.001, "never above max-rate");
    }

    @Test
    void callsOverTheRateWaitBrieflyOrAreRefused() {
        AtomicLong now = new AtomicLong();
        RateLimitSettings.Upstream slow = new RateLimitSettings.Upstream(
                true, 10, 10, 1000, 0.8, 1.2, 0.10, 0.02, Duration.ofSeconds(1), 20, Duration.ofMillis(250));
        AdaptiveRate r = new AdaptiveRate(slow, now::get);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, r.reserve(), "a second's worth of calls goes at once");
        }
        long wait = r.reserve();
        assertTrue(wait > 0 && wait <= Duration.ofMillis(100).toNanos(), "the next waits one slot: " + wait);
        r.reserve();
        r.reserve();
        assertEquals(-1, r.reserve(), "beyond max-wait the call is refused");
    }

    private static void interval(AdaptiveRate r, AtomicLong now, int calls, int failures) {
        now.addAndGet(Duration.ofMillis(1001).toNanos());
        for (int i = 0; i < calls; i++) {
            r.record(i < failures);
        }
    }
}
