package io.sluice.loadtest.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between Sluice and the upstream simulator that injects network faults (there is no
 * tc netem here): PASS forwards, STALL holds every byte (connections stay open, nothing moves),
 * RESET answers every connection, old and new, with a TCP reset.
 */
final class ChaosProxy implements AutoCloseable {
    enum Mode { PASS, STALL, RESET }

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;

    ChaosProxy(int port, int targetPort) throws IOException {
        this.server = new ServerSocket(port, 1024, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        Thread.ofVirtual().name("chaos-proxy-accept").start(this::accept);
    }

    void mode(Mode m) {
        mode = m;
        if (m == Mode.RESET) {
            open.forEach(ChaosProxy::reset);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.RESET) {
                    reset(client);
                    continue;
                }
                Thread.ofVirtual().start(() -> connect(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        try {
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            open.add(client);
            open.add(upstream);
            Thread.ofVirtual().start(() -> pump(client, upstream));
            pump(upstream, client);
        } catch (IOException e) {
            reset(client);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                while (mode == Mode.STALL) {
                    Thread.sleep(50);
                }
                if (mode == Mode.RESET) {
                    break;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away, or the fault closed it
        } finally {
            open.remove(from);
            open.remove(to);
            reset(from);
            reset(to);
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);   // close with RST, not FIN
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(ChaosProxy::reset);
    }
}
