package io.sluice;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import io.helidon.config.Config;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Helidon's meter registry, built on a virtual thread while PostgreSQL and Redis start: its service
 * lookup and JVM meters need neither. Joined before anything registers on it.
 */
final class MeterRegistryStart {
    private static final Logger LOG = LoggerFactory.getLogger(MeterRegistryStart.class);

    private final FutureTask<MeterRegistry> task;

    private MeterRegistryStart(FutureTask<MeterRegistry> task) {
        this.task = task;
    }

    /** Starts building it; {@code global} (once per JVM) also makes {@code config} Helidon's global configuration. */
    static MeterRegistryStart begin(Config config, boolean global, StartupPhases phases) {
        FutureTask<MeterRegistry> task = new FutureTask<>(() -> phases.time("meters", () -> {
            if (global) {
                shareWithHelidon(config);
            }
            return registry(config);
        }));
        Thread.ofVirtual().name("meters-start").start(task);
        return new MeterRegistryStart(task);
    }

    /** The registry; its failure rethrown as it was (unchecked) or wrapped. */
    MeterRegistry join() {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /** Waits for the build to end, whatever its outcome: a failed start returns only after it, so nothing outlives the failure. */
    void awaitQuietly() {
        try {
            task.get();
        } catch (ExecutionException e) {
            LOG.debug("meter registry: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Helidon's global registry with the {@code metrics} config. Its virtual-thread meters
     * ({@code metrics.virtual-threads.enabled}, off by default) stream JFR events from a recording
     * started here: measured, about 300 ms of start-up and 0.6 s of CPU, and more per virtual thread after.
     */
    private static MeterRegistry registry(Config config) {
        return MetricsFactory.getInstance().globalRegistry(MetricsConfig.builder().config(config.get("metrics")).build());
    }

    /**
     * Hands Sluice's configuration to Helidon's service registry, which otherwise builds a global one of
     * its own (environment, system properties, a search for application.* files) when the meter registry
     * first asks for it: measured, the meters step took 1,028 ms with it and 415 ms without (medians of 5).
     */
    private static void shareWithHelidon(Config config) {
        try {
            io.helidon.service.registry.Services.set(Config.class, config);
        } catch (RuntimeException e) {   // the registry already handed out its own: it keeps it, as before
            LOG.debug("Helidon's global config stays its own: {}", e.toString());
        }
    }
}
