package io.sluice.observe.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Linux {@code /proc} files the sampler reads (a few kilobytes each, no process spawned). Each
 * read answers -1 (or NaN) where the file does not exist (macOS, Windows) instead of failing.
 */
final class ProcFiles {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final Path[] TCP = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    private static final String ESTABLISHED = "01";

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

    /**
     * Established TCP connections whose local port is {@code port}: the server side of client
     * connections (a client on the same host has the port as its remote end and is not counted).
     */
    static int establishedOn(int port) {
        if (port <= 0 || !Files.isReadable(TCP[0])) {
            return -1;
        }
        String hexPort = String.format(":%04X", port);
        int count = 0;
        for (Path table : TCP) {
            try (BufferedReader in = Files.newBufferedReader(table)) {
                in.readLine();   // header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    // "  sl  local_address rem_address   st ...": fields 1, 2 and 3
                    String[] f = line.trim().split("\\s+", 5);
                    if (f.length > 3 && f[3].equals(ESTABLISHED) && f[1].endsWith(hexPort)) {
                        count++;
                    }
                }
            } catch (IOException e) {
                // tcp6 may be absent (IPv6 disabled): count what was readable
            }
        }
        return count;
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
