package io.sluice.tasks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.sluice.observe.ServerMeters;

/**
 * Queue health for operators: stream length, pending entries, the oldest pending entry's age and
 * dead letters (from the reconciler's last look at Redis, so a scrape never waits on Redis), plus
 * task durations and outcomes.
 */
final class TaskMeters {
    private final MeterRegistry registry;
    private volatile TaskQueue.Stats stats = new TaskQueue.Stats(0, 0, 0, 0);

    TaskMeters(ServerMeters meters) {
        this.registry = meters.registry();
        meters.gauge("sluice.tasks.queue.length", "entries in the task stream", List.of(), () -> stats.length());
        meters.gauge("sluice.tasks.pending", "delivered, unacknowledged entries", List.of(), () -> stats.pending());
        meters.gauge("sluice.tasks.oldest.pending.seconds", "age of the oldest unacknowledged entry", List.of(),
                     () -> stats.oldestPendingMs() / 1000.0);
        meters.gauge("sluice.tasks.dead.letters", "entries in the dead-letter stream", List.of(), () -> stats.deadLetters());
    }

    void stats(TaskQueue.Stats stats) {
        this.stats = stats;
    }

    void finished(String outcome, long nanos) {
        registry.getOrCreate(Timer.builder("sluice.tasks.duration")
                                     .description("task attempts by outcome")
                                     .tags(List.of(Tag.create("outcome", outcome))))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void deadLettered() {
        registry.getOrCreate(Counter.builder("sluice.tasks.dead.lettered").description("tasks sent to the dead-letter stream"))
                .increment();
    }
}
