package io.sluice.observe.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        byte[] hexPort = String.format("%04X", port).getBytes(StandardCharsets.US_ASCII);
        int count = 0;
        for (Path table : TCP) {
            try {
                count += countEstablished(Files.readAllBytes(table), hexPort);
            } catch (IOException e) {
                // tcp6 may be absent (IPv6 disabled): count what was readable
            }
        }
        return count;
    }

    /**
     * Scans the table's bytes without building strings (run every few seconds, mostly interpreted,
     * on tables of thousands of lines): per line "sl local_address rem_address st ...", a hit when
     * local_address ends in ":PORT" and st is 01 (ESTABLISHED).
     */
    static int countEstablished(byte[] table, byte[] hexPort) {
        int count = 0;
        int i = indexOf(table, (byte) '\n', 0) + 1;   // skip the header
        while (i > 0 && i < table.length) {
            int eol = indexOf(table, (byte) '\n', i);
            int end = eol < 0 ? table.length : eol;
            int[] field = new int[4];
            int f = 0;
            for (int j = i; j < end && f < 4; ) {
                while (j < end && table[j] == ' ') {
                    j++;
                }
                field[f++] = j;
                while (j < end && table[j] != ' ') {
                    j++;
                }
                if (f == 4 || j >= end) {
                    break;
                }
            }
            if (f == 4 && endsWithPort(table, field[2] - 1, hexPort)
                    && table[field[3]] == '0' && table[field[3] + 1] == '1') {
                count++;
            }
            i = eol < 0 ? -1 : eol + 1;
        }
        return count;
    }

    /** Whether the local address, which ends before the spaces ending at {@code last}, ends in ":PORT". */
    private static boolean endsWithPort(byte[] t, int last, byte[] hexPort) {
        int e = last;
        while (e > 0 && t[e] == ' ') {
            e--;
        }
        int start = e - hexPort.length + 1;
        if (start < 1 || t[start - 1] != ':') {
            return false;
        }
        for (int k = 0; k < hexPort.length; k++) {
            if (t[start + k] != hexPort[k]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
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
