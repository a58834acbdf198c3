package io.sluice.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and memory of a process, read from /proc (Linux). */
record Proc(long pid, double cpuSeconds, long rssMb, long peakRssMb) {

    static Proc sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;   // utime + stime, in ticks of 10 ms
            long rss = 0;
            long hwm = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = kb(line) / 1024;
                } else if (line.startsWith("VmHWM:")) {
                    hwm = kb(line) / 1024;
                }
            }
            return new Proc(pid, cpu, rss, hwm);
        } catch (IOException | RuntimeException e) {
            return new Proc(pid, Double.NaN, -1, -1);
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
