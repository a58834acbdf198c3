package io.sluice.observe.monitor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample of the machine and the process, as the seeds' monitor reports it. Ratios are 0..1
 * (percent in JSON); -1 or NaN means "not available on this platform".
 */
record Resources(double cpuProcess,
                 double cpuSystem,
                 int processors,
                 long heapUsed,
                 long heapCommitted,
                 long heapMax,
                 long rss,
                 long memoryTotal,
                 long memoryAvailable,
                 List<Disk> disks,
                 int connections,
                 double[] load,
                 Instant sampledAt,
                 long costMicros) {

    static final Resources NONE = new Resources(-1, -1, Runtime.getRuntime().availableProcessors(), -1, -1, -1, -1,
            -1, -1, List.of(), -1, new double[] {Double.NaN, Double.NaN, Double.NaN}, Instant.EPOCH, 0);

    /** A directory Sluice writes to: the filesystem it lives on, and (sampled less often) its own size. */
    record Disk(String name, String path, long total, long free, long dirBytes) {
        double usedRatio() {
            return total > 0 ? (double) (total - free) / total : -1;
        }
    }

    double memoryUsedRatio() {
        return memoryTotal > 0 && memoryAvailable >= 0 ? (double) (memoryTotal - memoryAvailable) / memoryTotal : -1;
    }

    double heapUsedRatio() {
        return heapMax > 0 ? (double) heapUsed / heapMax : -1;
    }

    Map<String, Object> json(double intervalSeconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", ordered("process_percent", percent(cpuProcess), "system_percent", percent(cpuSystem),
                             "available_processors", processors));
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("heap_used_bytes", heapUsed);
        memory.put("heap_committed_bytes", heapCommitted);
        memory.put("heap_max_bytes", heapMax);
        memory.put("heap_percent", percent(heapUsedRatio()));
        memory.put("rss_bytes", rss);
        memory.put("system_total_bytes", memoryTotal);
        memory.put("system_available_bytes", memoryAvailable);
        memory.put("system_percent", percent(memoryUsedRatio()));
        m.put("memory", memory);
        Map<String, Object> disk = new LinkedHashMap<>();
        for (Disk d : disks) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("path", d.path());
            one.put("filesystem_total_bytes", d.total());
            one.put("filesystem_free_bytes", d.free());
            one.put("filesystem_percent", percent(d.usedRatio()));
            one.put("dir_bytes", d.dirBytes());
            disk.put(d.name(), one);
        }
        m.put("disk", disk);
        m.put("connections", Map.of("open", connections));
        m.put("load_average", ordered("1m", round(load[0]), "5m", round(load[1]), "15m", round(load[2])));
        m.put("sampled_at", sampledAt.toString());
        m.put("sample_interval_seconds", intervalSeconds);
        m.put("sample_cost_micros", costMicros);
        return m;
    }

    /** A JSON object in the order written (Map.of has none). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static double percent(double ratio) {
        return ratio < 0 || Double.isNaN(ratio) ? -1 : Math.round(ratio * 1000) / 10.0;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? -1 : Math.round(v * 100) / 100.0;
    }
}
