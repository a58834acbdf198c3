package io.sluice.observe.monitor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource monitoring: one scheduled (virtual) thread samples the machine and the process every
 * {@code monitoring.interval}, updates readiness, evaluates the in-process alerts, and keeps the
 * latest sample for the gauges and the {@code /metrics} JSON. Gauges and JSON read that sample, so
 * a scrape or a request never triggers a measurement: the cost stays on this thread
 * ({@code sluice_monitor_sample_seconds} shows it).
 */
public final class ResourceMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceMonitor.class);

    private final MonitorSettings settings;
    private final ResourceSampler sampler;
    private final VirtualThreads threads;
    private final RequestWindow requests;
    private final Alerts alerts;
    private final Webhook webhook;
    private final BooleanSupplier readiness;
    private final AtomicLong readinessChanges = new AtomicLong();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("sluice-monitor").factory());
    private volatile Resources latest = Resources.NONE;
    private volatile boolean ready = true;
    private volatile int port;

    /**
     * @param readiness the readiness verdict (PostgreSQL and Redis answer, not draining); called once per
     *                  interval on the monitor thread, each check bounded by its pool's wait
     */
    public ResourceMonitor(MonitorSettings settings, Path logDir, MeterRegistry registry, BooleanSupplier readiness) {
        this.settings = settings;
        this.readiness = readiness;
        Map<String, Path> dirs = new LinkedHashMap<>();
        dirs.put("data", Path.of(settings.dataDir()));
        dirs.put("logs", logDir);
        this.sampler = new ResourceSampler(dirs);
        this.threads = new VirtualThreads(registry);
        this.requests = new RequestWindow(registry, settings.window());
        this.webhook = settings.webhookUrl() == null ? null : new Webhook(settings.webhookUrl(), settings.webhookTimeout());
        this.alerts = new Alerts(settings, webhook, java.lang.management.ManagementFactory.getRuntimeMXBean().getName());
        registerMeters(registry);
        long every = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(this::tick, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The server's port, known after start: open connections are counted on it. */
    public void port(int port) {
        this.port = port;
    }

    private void tick() {
        try {
            latest = sampler.sample(port);
            long now = System.nanoTime();
            boolean up = readiness.getAsBoolean();
            if (up != ready) {
                readinessChanges.incrementAndGet();
                ready = up;
            }
            if (settings.alertsEnabled()) {
                requests.sample(now);
                alerts.evaluate(new Alerts.Reading(latest, requests, settings.minRequests()), now);
            }
        } catch (RuntimeException e) {   // one bad sample must not end the schedule
            LOG.warn("resource sample failed: {}", e.toString());
        }
    }

    /** Virtual threads on a carrier right now: the seed's {@code thread_pool_active}. */
    public long threadPoolActive() {
        return threads.mounted();
    }

    /** The {@code /metrics} sections this monitor owns: resources, thread_pool, alerts. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> resources = latest.json(settings.interval().toMillis() / 1000.0);
        resources.put("ready", ready);
        resources.put("readiness_changes", readinessChanges.get());
        m.put("resources", resources);
        m.put("thread_pool", threads.json());
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("enabled", settings.alertsEnabled());
        a.put("rules", alerts.json());
        a.put("window_requests", requests.requests());
        if (webhook != null) {
            a.put("webhook_failed", webhook.failed());
            a.put("webhook_dropped", webhook.dropped());
        }
        m.put("alerts", a);
        return m;
    }

    private void registerMeters(MeterRegistry registry) {
        gauge(registry, "sluice.cpu.process.ratio", "CPU used by this process, share of all cores (0..1)", List.of(),
              Resources::cpuProcess);
        gauge(registry, "sluice.cpu.system.ratio", "CPU used by the whole machine/container (0..1)", List.of(),
              Resources::cpuSystem);
        gauge(registry, "sluice.memory.heap.used.bytes", "JVM heap in use", List.of(), r -> r.heapUsed());
        gauge(registry, "sluice.memory.heap.max.bytes", "JVM heap limit (-Xmx)", List.of(), r -> r.heapMax());
        gauge(registry, "sluice.memory.rss.bytes", "resident set size of the process", List.of(), r -> r.rss());
        gauge(registry, "sluice.memory.system.total.bytes", "memory of the machine (or container limit)", List.of(),
              r -> r.memoryTotal());
        gauge(registry, "sluice.memory.system.used.ratio", "memory in use, 1 - available/total (0..1)", List.of(),
              Resources::memoryUsedRatio);
        gauge(registry, "sluice.connections.open", "established client connections to the server port", List.of(),
              r -> r.connections());
        String[] windows = {"1m", "5m", "15m"};
        for (int i = 0; i < windows.length; i++) {
            int at = i;
            gauge(registry, "sluice.system.load.average", "system load average", List.of(Tag.create("window", windows[i])),
                  r -> r.load()[at]);
        }
        for (String dir : List.of("data", "logs")) {
            List<Tag> tags = List.of(Tag.create("dir", dir));
            gauge(registry, "sluice.disk.used.ratio", "used share of the filesystem holding the directory", tags,
                  r -> disk(r, dir).usedRatio());
            gauge(registry, "sluice.disk.free.bytes", "usable bytes left on the filesystem holding the directory", tags,
                  r -> disk(r, dir).free());
            gauge(registry, "sluice.disk.dir.bytes", "size of the directory's files", tags, r -> disk(r, dir).dirBytes());
        }
        gauge(registry, "sluice.monitor.sample.seconds", "time the last resource sample took", List.of(),
              r -> r.costMicros() / 1e6);
        registry.getOrCreate(Gauge.builder("sluice.vthreads.scheduler.parallelism", () -> (double) threads.parallelism())
                .description("carrier threads virtual threads run on (target)"));
        registry.getOrCreate(Gauge.builder("sluice.vthreads.scheduler.pool.size", () -> (double) threads.poolSize())
                .description("carrier threads started (-1 before JDK 24)"));
        registry.getOrCreate(Gauge.builder("sluice.vthreads.mounted", () -> (double) threads.mounted())
                .description("virtual threads running on a carrier (-1 before JDK 24)"));
        registry.getOrCreate(Gauge.builder("sluice.vthreads.queued", () -> (double) threads.queued())
                .description("virtual threads ready to run, waiting for a carrier (-1 before JDK 24)"));
        registry.getOrCreate(Gauge.builder("sluice.ready", () -> ready ? 1.0 : 0.0)
                .description("1 when PostgreSQL and Redis answer and the server is not draining (checked every interval)"));
        registry.getOrCreate(FunctionalCounter.builder("sluice.readiness.changes", readinessChanges, AtomicLong::get)
                .description("times the readiness verdict changed"));
        alerts.registerMeters(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, List<Tag> tags,
                       ToDoubleFunction<Resources> value) {
        registry.getOrCreate(Gauge.builder(name, () -> value.applyAsDouble(latest)).description(description).tags(tags));
    }

    private static Resources.Disk disk(Resources r, String name) {
        return r.disks().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElse(new Resources.Disk(name, "", -1, -1, -1));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (webhook != null) {
            webhook.close();
        }
    }
}
