package io.sluice.security;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slowloris: 300 connections dribble a request a byte at a time. Every connection has its own
 * virtual thread, so a normal client is still served promptly; a connection that has not finished
 * its request line within server.idle-connection-timeout, or its headers within
 * security.header-timeout, is closed by the server.
 */
class SlowlorisTest {
    private static final byte[] REQUEST_LINE = "GET /v1/models HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);

    @Test
    void dribblingClientsDoNotBlockOthersAndAreCutOff() throws Exception {
        try (TestServer s = TestServer.start(Map.of("server.idle-connection-timeout", "PT2S",
                                                    "server.idle-connection-period", "PT1S",
                                                    "security.header-timeout", "2s"))) {
            List<Socket> inPrologue = open(s, 200);
            List<Socket> inHeaders = open(s, 100);
            for (Socket socket : inHeaders) {
                socket.getOutputStream().write(REQUEST_LINE);
            }
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int round = 0;
            while (System.nanoTime() < end) {
                dribble(inPrologue, REQUEST_LINE[Math.min(round, 10)]);   // never reaches the end of the line
                dribble(inHeaders, HEADER[round % HEADER.length]);
                long start = System.nanoTime();
                assertEquals(200, s.get("/v1/models").statusCode());
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 2000, "a normal request took " + ms + " ms under attack");
                round++;
                Thread.sleep(200);
            }
            int closed = 0;
            for (Socket socket : inPrologue) {
                closed += closedByServer(socket) ? 1 : 0;
            }
            assertEquals(inPrologue.size(), closed, "connections stuck in the request line are closed by the idle timeout");
            closed = 0;
            for (Socket socket : inHeaders) {
                closed += closedByServer(socket) ? 1 : 0;
            }
            assertEquals(inHeaders.size(), closed, "connections dribbling headers are closed by the header deadline");
            assertEquals(200, s.get("/observe/health/ready").statusCode());
        }
    }

    private static List<Socket> open(TestServer s, int n) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket socket = new Socket("127.0.0.1", s.port());
            socket.setSoTimeout(100);
            sockets.add(socket);
        }
        return sockets;
    }

    private static void dribble(List<Socket> sockets, byte b) {
        for (Socket socket : sockets) {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(b);
                out.flush();
            } catch (IOException e) {
                // closed by the server: that is the defence working
            }
        }
    }

    private static boolean closedByServer(Socket socket) {
        try (socket) {
            return socket.getInputStream().read() >= -1;   // -1 (EOF) or an error answer: the server ended it
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
