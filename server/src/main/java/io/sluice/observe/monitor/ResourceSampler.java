package io.sluice.observe.monitor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Takes one {@link Resources} sample: JMX beans (CPU, heap), {@code /proc} (RSS, system memory, load,
 * connections), the filesystems of the data and log directories. Runs only on the monitor's thread,
 * never for a request. Directory sizes walk the tree, so they are refreshed every
 * {@value #DIR_SIZE_EVERY}th sample and capped at {@value #MAX_FILES} files.
 */
final class ResourceSampler {
    static final int DIR_SIZE_EVERY = 30;
    static final int MAX_FILES = 20_000;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final TcpTables tcp = new TcpTables();
    private final Map<String, Path> dirs;
    private final long[] dirBytes;
    private int samples;

    /** @param dirs name ("data", "logs") to directory */
    ResourceSampler(Map<String, Path> dirs) {
        this.dirs = dirs;
        this.dirBytes = new long[dirs.size()];
    }

    Resources sample(int port) {
        long start = System.nanoTime();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long[] mem = systemMemory();
        List<Resources.Disk> disks = disks(samples++ % DIR_SIZE_EVERY == 0);
        return new Resources(os.getProcessCpuLoad(), os.getCpuLoad(), os.getAvailableProcessors(),
                             heap.getUsed(), heap.getCommitted(), heap.getMax(), ProcFiles.rssBytes(),
                             mem[0], mem[1], disks, tcp.establishedOn(port), ProcFiles.loadAverage(),
                             Instant.now(), (System.nanoTime() - start) / 1000);
    }

    /**
     * {total, available}: /proc/meminfo's MemAvailable (page cache counts as free, as in psutil); in a
     * container whose memory limit is smaller than the host's memory, the JVM's cgroup-aware figures.
     */
    private long[] systemMemory() {
        long[] proc = ProcFiles.memory();
        long total = os.getTotalMemorySize();
        if (proc[0] > 0 && proc[1] >= 0 && (total <= 0 || proc[0] <= total)) {
            return proc;
        }
        return new long[] {total, os.getFreeMemorySize()};
    }

    private List<Resources.Disk> disks(boolean walk) {
        List<Resources.Disk> out = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            Path dir = e.getValue().toAbsolutePath();
            if (walk) {
                dirBytes[i] = size(dir);
            }
            long total = -1;
            long free = -1;
            try {
                FileStore store = Files.getFileStore(existing(dir));
                total = store.getTotalSpace();
                free = store.getUsableSpace();
            } catch (IOException | RuntimeException ex) {
                // not mounted / not readable: reported as -1
            }
            out.add(new Resources.Disk(e.getKey(), dir.toString(), total, free, dirBytes[i]));
            i++;
        }
        return out;
    }

    /** The directory, or its nearest existing parent (the data dir does not exist with external databases). */
    private static Path existing(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of("/") : p;
    }

    private static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.limit(MAX_FILES).mapToLong(f -> {
                try {
                    return Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (IOException e) {
                    return 0;   // a file rotated or deleted while walking
                }
            }).sum();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
