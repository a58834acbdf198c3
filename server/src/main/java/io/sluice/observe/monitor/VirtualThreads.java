package io.sluice.observe.monitor;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;

/**
 * The seed's "thread pool" for a server that runs one virtual thread per connection. There is no
 * pool of workers to exhaust: virtual threads are mounted on a small ForkJoinPool of carrier
 * threads (parallelism = cores, or {@code -Djdk.virtualThreadScheduler.parallelism}). What is worth
 * watching is how many virtual threads are on a carrier right now (mounted: the "active threads"),
 * how many are ready but waiting for a carrier (queued: carriers saturated), and how often a
 * virtual thread pinned its carrier (it blocked while unable to unmount).
 *
 * <p>JDK 24+ exposes the scheduler as {@code jdk.management.VirtualThreadSchedulerMXBean}; it is
 * looked up by reflection because Sluice compiles for 21, where it does not exist (then mounted
 * and queued are -1). Live virtual threads and pinning events come from Helidon's own JFR-streamed
 * meters ({@code vthreads.count}, {@code vthreads.pinned}) when {@code metrics.virtual-threads.enabled}
 * (off by default: its JFR recording slows start-up); they are read, not recounted, and -1 when off.
 */
final class VirtualThreads {
    private final PlatformManagedObject scheduler;
    private final Method parallelism;
    private final Method poolSize;
    private final Method mounted;
    private final Method queued;
    private final MeterRegistry registry;

    VirtualThreads(MeterRegistry registry) {
        this.registry = registry;
        PlatformManagedObject bean = null;
        Method[] m = new Method[4];
        try {
            @SuppressWarnings("unchecked")
            Class<? extends PlatformManagedObject> type = (Class<? extends PlatformManagedObject>)
                    Class.forName("jdk.management.VirtualThreadSchedulerMXBean");
            bean = ManagementFactory.getPlatformMXBean(type);
            m[0] = type.getMethod("getParallelism");
            m[1] = type.getMethod("getPoolSize");
            m[2] = type.getMethod("getMountedVirtualThreadCount");
            m[3] = type.getMethod("getQueuedVirtualThreadCount");
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            bean = null;   // JDK 21-23: configured parallelism only
        }
        this.scheduler = bean;
        this.parallelism = m[0];
        this.poolSize = m[1];
        this.mounted = m[2];
        this.queued = m[3];
    }

    /** Virtual threads on a carrier right now: the honest "thread_pool_active"; -1 when the JDK cannot tell. */
    long mounted() {
        return call(mounted);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "virtual threads: one per connection, mounted on a pool of carrier threads");
        long p = parallelism();
        m.put("max_workers", p);
        m.put("active_threads", mounted());
        m.put("carrier_parallelism", p);
        m.put("carrier_pool_size", call(poolSize));
        m.put("mounted_virtual_threads", mounted());
        m.put("queued_virtual_threads", call(queued));
        m.put("live_virtual_threads", helidonGauge("vthreads.count"));
        m.put("pinned_events", helidonGauge("vthreads.pinned"));
        m.put("platform_threads", ManagementFactory.getThreadMXBean().getThreadCount());
        return m;
    }

    long parallelism() {
        return parallelism == null ? configuredParallelism() : call(parallelism);
    }

    long poolSize() {
        return call(poolSize);
    }

    long queued() {
        return call(queued);
    }

    private long call(Method method) {
        if (scheduler == null || method == null) {
            return -1;
        }
        try {
            return ((Number) method.invoke(scheduler)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    private static long configuredParallelism() {
        String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        try {
            return p == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** A Helidon system meter's value; -1 when metrics.virtual-threads is off (the meter is absent). */
    private long helidonGauge(String name) {
        return registry.meters().stream()
                .filter(meter -> meter.id().name().equals(name) && meter instanceof Gauge<?>)
                .findFirst()
                .map(meter -> ((Gauge<?>) meter).value().longValue())
                .orElse(-1L);
    }
}
