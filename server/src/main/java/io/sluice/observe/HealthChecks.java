package io.sluice.observe;

import java.util.List;
import java.util.function.BooleanSupplier;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.sluice.limits.Admission;
import io.sluice.infra.Database;
import io.sluice.infra.Redis;

/**
 * Kubernetes probes. Readiness: PostgreSQL and Redis answer and the server is not draining (each
 * check is bounded by its pool's wait). Liveness: the process serves HTTP; it never depends on a
 * backend, so a database outage takes instances out of rotation instead of restarting them.
 */
public final class HealthChecks {
    private HealthChecks() {
    }

    public static List<HealthCheck> all(Database db, Redis redis, Admission admission) {
        return List.of(
                check("postgres", HealthCheckType.READINESS, db::isReachable),
                check("redis", HealthCheckType.READINESS, redis::isReachable),
                check("admission", HealthCheckType.READINESS, () -> !admission.draining()),
                check("server", HealthCheckType.LIVENESS, () -> true));
    }

    /** The liveness checks among {@code checks}, in order (what {@link LivenessFilter} answers for). */
    public static List<HealthCheck> liveness(List<HealthCheck> checks) {
        return checks.stream().filter(c -> c.type() == HealthCheckType.LIVENESS).toList();
    }

    private static HealthCheck check(String name, HealthCheckType type, BooleanSupplier up) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return type;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder().status(up.getAsBoolean()).build();
            }
        };
    }
}
