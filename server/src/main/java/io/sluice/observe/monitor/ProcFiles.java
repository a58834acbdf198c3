package io.sluice.observe.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small Linux {@code /proc} files the sampler reads (a few kilobytes each, no process spawned);
 * the socket tables are {@link TcpTables}. Each read answers -1 (or NaN) where the file does not
 * exist (macOS, Windows) instead of failing.
 */
final class ProcFiles {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private ProcFiles() {
    }

    /** Resident set size of this process (VmRSS), bytes. */
    static long rssBytes() {
        return kilobytes(STATUS, "VmRSS:");
    }

    /** {MemTotal, MemAvailable} in bytes: available counts reclaimable page cache as free, as psutil does. */
    static long[] memory() {
        return new long[] {kilobytes(MEMINFO, "MemTotal:"), kilobytes(MEMINFO, "MemAvailable:")};
    }

    /** The 1, 5 and 15 minute load averages. */
    static double[] loadAverage() {
        try {
            String[] f = Files.readString(LOADAVG).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static long kilobytes(Path file, String key) {
        try (BufferedReader in = Files.newBufferedReader(file)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(key)) {
                    String[] f = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
