package io.sluice.observe.monitor;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts ESTABLISHED connections on a local port from the kernel's {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}. Those tables list every socket of the network namespace (other processes',
 * TIME_WAIT), megabytes after a burst of connections, so each table is streamed through one reused
 * buffer and scanned byte by byte: no whole-file array, no per-line object. One instance per thread
 * (the monitor's): the buffer is not shared.
 */
final class TcpTables {
    static final int BUFFER_BYTES = 64 * 1024;
    private static final Path[] PROC = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};

    private final Path[] tables;
    private final byte[] buffer;

    TcpTables() {
        this(BUFFER_BYTES, PROC);
    }

    /** @param tables the IPv4 table first: where it is missing the count is unknown (-1) */
    TcpTables(int bufferBytes, Path... tables) {
        this.tables = tables;
        this.buffer = new byte[bufferBytes];
    }

    /**
     * Established TCP connections whose local port is {@code port}: the server side of client
     * connections (a client on the same host has the port as its remote end and is not counted);
     * -1 where the tables do not exist (not Linux) or the port is not known yet.
     */
    int establishedOn(int port) {
        if (port <= 0 || !Files.isReadable(tables[0])) {
            return -1;
        }
        int count = 0;
        for (Path table : tables) {
            try (InputStream in = new FileInputStream(table.toFile())) {
                count += count(in, port);
            } catch (IOException e) {
                // tcp6 may be absent (IPv6 disabled): count what was readable
            }
        }
        return count;
    }

    // scanner states, per line "  sl  local_address rem_address   st tx_queue ..."
    private static final int HEADER = 0;      // the first line: column titles
    private static final int BETWEEN = 1;     // spaces before a field
    private static final int FIELD = 2;       // inside a field
    private static final int REST = 3;        // past the state field: skip to the end of the line

    /**
     * Lines of one table whose local address ends in {@code :PORT} (exactly four hex digits after its
     * last colon) and whose state is {@code 01} (ESTABLISHED); lines and fields may span reads.
     */
    int count(InputStream in, int port) throws IOException {
        byte[] b = buffer;
        int count = 0;
        int state = HEADER;
        int field = -1;          // index of the field being scanned on this line
        int value = 0;           // hex value since the field start or its last ':'
        int digits = 0;          // hex digits in value, -1 once a non-hex byte was seen
        boolean colon = false;   // the local address had a ':'
        boolean local = false;   // the local port matched
        for (int n = in.read(b); n >= 0; n = in.read(b)) {
            for (int i = 0; i < n; i++) {
                byte c = b[i];
                if (c == '\n') {
                    if (state == FIELD && field == 3 && local && digits == 2 && value == 1) {
                        count++;   // a line ending right after the state field
                    }
                    state = BETWEEN;
                    field = -1;
                    local = false;
                    continue;
                }
                if (state == BETWEEN) {
                    if (c == ' ') {
                        continue;
                    }
                    state = FIELD;
                    field++;
                    value = 0;
                    digits = 0;
                    colon = false;
                }
                if (state != FIELD) {
                    continue;   // HEADER and REST: wait for the end of the line
                }
                if (c == ' ') {
                    if (field == 1) {
                        local = colon && digits == 4 && value == port;
                    } else if (field == 3) {
                        if (local && digits == 2 && value == 1) {
                            count++;
                        }
                        state = REST;
                        continue;
                    }
                    state = BETWEEN;
                } else if (c == ':') {
                    colon = true;
                    value = 0;
                    digits = 0;
                } else if (digits >= 0) {
                    int d = hexDigit(c);
                    if (d < 0 || digits == 4) {
                        digits = -1;   // not hex, or too long for a port or a state
                    } else {
                        value = value * 16 + d;
                        digits++;
                    }
                }
            }
        }
        return count;
    }

    /** The value of an upper-case hex digit (as the kernel prints them), else -1. */
    private static int hexDigit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
