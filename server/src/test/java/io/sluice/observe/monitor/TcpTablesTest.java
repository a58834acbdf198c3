package io.sluice.observe.monitor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The streamed scan of /proc/net/tcp{,6}: counts the server side of ESTABLISHED connections on the
 * port, whatever the read sizes (lines and fields split across reads), in both address families.
 */
class TcpTablesTest {
    // server on 8080 = 1F90; 0F90 (3984) and 1F91 differ from it in one hex digit
    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1535 1 00000000c33a7ffe 100 0 0 10 0
               1: 0100007F:1F90 0100007F:B090 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867356 2 00000000e4a13936 20 4 27 13 -1
               2: 0100007F:1F90 0100007F:B092 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867357 2 00000000e4a13937 20 4 27 13 -1
               3: 0100007F:B094 0100007F:1F90 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867358 2 00000000e4a13938 20 4 27 13 -1
               4: 0100007F:1F90 0100007F:B096 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
               5: 0100007F:1F90 0100007F:B098 08 00000000:00000000 00:00000000 00000000  1000        0 1867360 1 00000000e4a13940 20 4 27 13 -1
               6: 0100007F:0F90 0100007F:B09A 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867361 2 00000000e4a13941 20 4 27 13 -1
               7: 0100007F:1F91 0100007F:B09C 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867362 2 00000000e4a13942 20 4 27 13 -1
              10: 0A00020F:1F90 0A000201:E3F2 01 00000000:00000000 02:000AFB99 00000000  1000        0 1867363 2 00000000e4a13943 20 4 27 13 -1
            """;
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1536 1 0000000000000000 100 0 0 10 0
               1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D024 01 00000000:00000000 02:000003C0 00000000  1000        0 1900001 2 000000008008b9a8 20 4 30 10 -1
               2: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D026 01 00000000:00000000 02:000003C0 00000000  1000        0 1900002 2 000000008008b9a9 20 4 30 10 -1
               3: 0000000000000000FFFF00000100007F:D028 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 02:000003C0 00000000  1000        0 1900003 2 000000008008b9aa 20 4 30 10 -1
               4: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D030 06 00000000:00000000 03:000003C3 00000000     0        0 0 3 0000000018844ce8
               5: 00000000000000000000000000001F90:0F90 00000000000000000000000000000000:D032 01 00000000:00000000 02:000003C0 00000000  1000        0 1900005 2 000000008008b9ab 20 4 30 10 -1
            """;

    @Test
    void countsTheServerSideOfEstablishedConnectionsOnThePort() throws IOException {
        TcpTables tables = new TcpTables(TcpTables.BUFFER_BYTES);
        // lines 1, 2 and 10; not the listener, the client side (3), TIME_WAIT, CLOSE_WAIT, 0F90 or 1F91
        assertEquals(3, tables.count(stream(TCP), 8080));
        assertEquals(1, tables.count(stream(TCP), 0x0F90));
        assertEquals(1, tables.count(stream(TCP), 0x1F91));
        assertEquals(0, tables.count(stream(TCP), 0xB090), "a remote port is not a local one");
        assertEquals(0, tables.count(stream(TCP), 0x0090), "a shared suffix is not the port");
        // IPv4-mapped and native IPv6; not the address ending in 1F90 whose port is 0F90
        assertEquals(2, tables.count(stream(TCP6), 8080));
        assertEquals(1, tables.count(stream(TCP6), 0x0F90));
        assertEquals(0, tables.count(stream(TCP6), 0x0000), "the listener's remote :0000 and port 0");
    }

    @Test
    void everyBufferSizeGivesTheSameCount() throws IOException {
        for (int size = 1; size <= 400; size++) {
            TcpTables tables = new TcpTables(size);
            assertEquals(3, tables.count(stream(TCP), 8080), "buffer of " + size);
            assertEquals(2, tables.count(stream(TCP6), 8080), "buffer of " + size);
        }
    }

    @Test
    void shortReadsSplitLinesAnywhere() throws IOException {
        Random random = new Random(42);
        TcpTables tables = new TcpTables(97);
        for (int run = 0; run < 200; run++) {
            assertEquals(3, tables.count(new Trickle(TCP, random), 8080));
            assertEquals(2, tables.count(new Trickle(TCP6, random), 8080));
        }
    }

    @Test
    void aBigTableIsStreamed() throws IOException {
        StringBuilder table = new StringBuilder(TCP);
        String established = "  %d: 0100007F:1F90 0100007F:%04X 01 00000000:00000000 02:000AFB99 00000000  1000        0 %d 2 00000000e4a13936 20 4 27 13 -1\n";
        String timeWait = "  %d: 0100007F:1F90 0100007F:%04X 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000\n";
        for (int i = 0; i < 5000; i++) {
            table.append(String.format(i % 3 == 0 ? timeWait : established, 11 + i, 0x8000 + i, 2_000_000 + i));
        }
        int expected = 3 + 5000 - (5000 + 2) / 3;
        assertEquals(expected, new TcpTables(TcpTables.BUFFER_BYTES).count(stream(table.toString()), 8080));
        assertEquals(expected, new TcpTables(4096).count(stream(table.toString()), 8080));
    }

    @Test
    void bothFilesAreSummedAndAMissingFileIsHandled(@TempDir Path dir) throws IOException {
        Path tcp = Files.writeString(dir.resolve("tcp"), TCP);
        Path tcp6 = Files.writeString(dir.resolve("tcp6"), TCP6);
        Path missing = dir.resolve("absent");
        assertEquals(5, new TcpTables(TcpTables.BUFFER_BYTES, tcp, tcp6).establishedOn(8080));
        assertEquals(3, new TcpTables(TcpTables.BUFFER_BYTES, tcp, missing).establishedOn(8080), "no IPv6");
        assertEquals(-1, new TcpTables(TcpTables.BUFFER_BYTES, missing, tcp6).establishedOn(8080), "not Linux");
        assertEquals(-1, new TcpTables(TcpTables.BUFFER_BYTES, tcp, tcp6).establishedOn(0), "port not known yet");
        assertEquals(0, new TcpTables(TcpTables.BUFFER_BYTES, Files.writeString(dir.resolve("empty"), ""), tcp6)
                .establishedOn(0x0090));
    }

    @Test
    void theKernelTablesCountHeldConnections() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux only");
        TcpTables tables = new TcpTables();
        List<Socket> sockets = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(0, tables.establishedOn(server.getLocalPort()));
            for (int i = 0; i < 7; i++) {
                sockets.add(new Socket(server.getInetAddress(), server.getLocalPort()));
            }
            // the kernel completes the handshake before accept(): the server side is ESTABLISHED already
            assertEquals(7, tables.establishedOn(server.getLocalPort()));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static InputStream stream(String table) {
        return new ByteArrayInputStream(table.getBytes(StandardCharsets.US_ASCII));
    }

    /** Hands out 1 to 40 bytes per read, whatever room the caller offers. */
    private static final class Trickle extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private int pos;

        Trickle(String table, Random random) {
            this.bytes = table.getBytes(StandardCharsets.US_ASCII);
            this.random = random;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(40)), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
