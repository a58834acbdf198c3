package io.sluice.support;

import java.nio.file.Path;

import io.sluice.infra.Embedded;

/**
 * One real PostgreSQL and one real Redis for the whole test run, started on first use and stopped
 * when the JVM exits. Servers under test reach them as external services via database.url/redis.url.
 */
public final class TestInfra {
    private static Embedded.Handle postgres;
    private static Embedded.Handle redis;

    private TestInfra() {
    }

    public static synchronized String postgresUrl() {
        if (postgres == null) {
            postgres = Embedded.postgres(0, Path.of("server/target/test-infra/postgres-" + ProcessHandle.current().pid()));
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close));
        }
        return postgres.url();
    }

    public static synchronized String redisUrl() {
        if (redis == null) {
            redis = Embedded.redis(0, Path.of("server/target/test-infra/redis-" + ProcessHandle.current().pid()));
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close));
        }
        return redis.url();
    }
}
