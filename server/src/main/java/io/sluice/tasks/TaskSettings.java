package io.sluice.tasks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;

import io.sluice.config.ConfigReader;

/**
 * The {@code tasks:} config section. {@code role} decides what an instance runs: the HTTP API, the
 * workers, or both; the visibility timeout is how long a task may go without a heartbeat before
 * another worker takes it over.
 */
public record TaskSettings(boolean api,
                           boolean workers,
                           int workerCount,
                           String stream,
                           String group,
                           String consumer,
                           Duration visibilityTimeout,
                           int maxAttempts,
                           Duration retryBackoff,
                           Duration reconcileInterval,
                           Duration maxWait,
                           boolean asyncDefault) {

    /** @param asyncDefault {@code llm.async-default}, owned by the llm section: whether a chat without ?sync= runs as a task */
    public static TaskSettings from(ConfigReader c, boolean asyncDefault) {
        String role = c.oneOf("tasks.role", Set.of("all", "api", "worker"));
        String consumer = c.string("tasks.consumer").trim();
        if (consumer.isEmpty()) {
            // Stable per host and process: a restarted process re-reads nothing of the old one's
            // pending list, which other workers reclaim after the visibility timeout.
            consumer = ManagementFactory.getRuntimeMXBean().getName();
        }
        TaskSettings s = new TaskSettings(!role.equals("worker"),
                                          !role.equals("api"),
                                          c.intAtLeast("tasks.workers", 1),
                                          c.string("tasks.stream"),
                                          c.string("tasks.group"),
                                          consumer,
                                          c.duration("tasks.visibility-timeout"),
                                          c.intAtLeast("tasks.max-attempts", 1),
                                          c.duration("tasks.retry-backoff"),
                                          c.duration("tasks.reconcile-interval"),
                                          c.duration("tasks.max-wait"),
                                          asyncDefault);
        if (s.visibilityTimeout.toMillis() < 1000) {
            throw new ConfigReader.InvalidConfigException("tasks.visibility-timeout", s.visibilityTimeout.toString(),
                                                          "must be at least 1s (heartbeats run at a third of it)");
        }
        return s;
    }

    public String deadLetterStream() {
        return stream + ":dead";
    }
}
