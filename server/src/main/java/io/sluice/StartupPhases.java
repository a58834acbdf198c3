package io.sluice;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where start-up time went, for one INFO line once Sluice listens: "jvm" is the JVM's start to
 * {@link Sluice#start} (its boot, loading {@code main}, reading the configuration files), then each
 * step of the start. PostgreSQL and Redis start side by side, so their times overlap: the
 * infrastructure step is the longer of postgres + database and redis.
 */
final class StartupPhases {
    private final long startNanos = System.nanoTime();
    private final long jvmMillis = jvmMillis();
    private final Map<String, Long> millis = new ConcurrentHashMap<>();

    /** Runs {@code step} and records its wall time under {@code name}. */
    <T> T time(String name, Supplier<T> step) {
        long t0 = System.nanoTime();
        try {
            return step.get();
        } finally {
            millis.merge(name, (System.nanoTime() - t0) / 1_000_000, Long::sum);
        }
    }

    /** From the JVM's start (when it can say) to now. */
    long sinceLaunchMillis() {
        return (jvmMillis < 0 ? 0 : jvmMillis) + (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** e.g. "started in 2650 ms (jvm 420, config 90, postgres 1100, database 60, redis 700, ...)". */
    String summary(String... order) {
        StringBuilder line = new StringBuilder("started in ").append(sinceLaunchMillis()).append(" ms (");
        line.append(jvmMillis < 0 ? "jvm ?" : "jvm " + jvmMillis);
        for (String name : order) {
            Long ms = millis.get(name);
            if (ms != null) {
                line.append(", ").append(name).append(' ').append(ms);
            }
        }
        return line.append(')').toString();
    }

    /** The JVM's start to now (this object's creation): its boot, loading main, reading the configuration. */
    private static long jvmMillis() {
        try {
            return ManagementFactory.getRuntimeMXBean().getUptime();
        } catch (RuntimeException | LinkageError e) {   // java.management left out of a custom runtime image
            return -1;
        }
    }
}
