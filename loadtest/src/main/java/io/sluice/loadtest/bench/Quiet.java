package io.sluice.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits, bounded, until the machine is quiet before a section starts: the previous section's
 * aftermath (a server closing 10,000 sockets, a collector running in some JVM, this client's own
 * garbage) otherwise lands in the next section's tail latencies. Reads the whole machine's idle
 * time from /proc/stat (Linux); elsewhere it returns at once.
 */
final class Quiet {
    private static final Duration WINDOW = Duration.ofMillis(500);

    private Quiet() {
    }

    /** Returns after two windows in a row with the machine at least {@code idleShare} idle, or after {@code max}. */
    static String await(double idleShare, Duration max) throws InterruptedException {
        System.gc();   // this client's garbage from the last section, collected now rather than during the next one
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        int quietWindows = 0;
        double idle = Double.NaN;
        while (quietWindows < 2 && System.nanoTime() < deadline) {
            long[] a = cpu();
            Thread.sleep(WINDOW);
            long[] b = cpu();
            if (a == null || b == null) {
                return "machine load not readable";
            }
            idle = (double) (b[0] - a[0]) / Math.max(1, b[1] - a[1]);
            quietWindows = idle >= idleShare ? quietWindows + 1 : 0;
        }
        return String.format("%s after %.1f s (machine %.0f%% idle)", quietWindows >= 2 ? "quiet" : "NOT quiet",
                             (System.nanoTime() - start) / 1e9, idle * 100);
    }

    /** {idle + iowait, total} jiffies of all cores, or null. */
    private static long[] cpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
