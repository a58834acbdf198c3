package io.sluice.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.gatling.javaapi.core.OpenInjectionStep;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;

/** Injection profiles the simulations share. */
final class Injection {
    private Injection() {
    }

    /** An optional ramp from 1/s up to {@code rate}, then {@code rate} users/s for {@code duration}. */
    static List<OpenInjectionStep> rate(double rate, Duration ramp, Duration duration) {
        List<OpenInjectionStep> steps = new ArrayList<>();
        if (!ramp.isZero()) {
            steps.add(rampUsersPerSec(Math.min(1, rate)).to(rate).during(ramp));
        }
        steps.add(constantUsersPerSec(rate).during(duration));
        return steps;
    }

    static OpenInjectionStep once() {
        return atOnceUsers(1);
    }
}
