package io.sluice.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A plain TCP relay on a local port, for taking a dependency away from a running server:
 * {@link #cut()} closes the listening socket and every relayed connection (the server sees resets,
 * then refused connects); {@link #restore()} listens on the same port again. {@link #stall()} keeps
 * every connection open and accepts new ones but relays no byte (a hung server or a black-holed
 * network) until {@link #resume()}. {@link #fault} makes it a small chaos proxy for the connections
 * it accepts next: reset them, stall them, cut the answer short after some bytes, or drip it a byte at a time.
 */
public final class TcpProxy implements AutoCloseable {
    /** What happens to a connection accepted from now on. */
    public enum Fault {
        /** Relay both ways. */
        NONE,
        /** Accept, then close with a TCP reset (SO_LINGER 0) before anything is relayed. */
        RESET,
        /** Accept and read the request, never answer; the socket stays open until the client gives up. */
        STALL,
        /** Relay the request; relay only the first {@link #truncateAfter} bytes of the answer, then close both sides. */
        TRUNCATE,
        /** Relay the request; relay the answer one byte every {@link #dripMillis} ms (on average: paced from the start). */
        DRIP
    }

    private volatile Fault fault = Fault.NONE;
    private volatile int truncateAfter = 64;
    private volatile long dripMillis = 50;
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile boolean stalled;

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        acceptLoop(listener);
    }

    public int port() {
        return port;
    }

    /** The fault for connections accepted from now on (those already relayed keep theirs). */
    public TcpProxy fault(Fault f) {
        this.fault = f;
        return this;
    }

    public TcpProxy truncateAfter(int bytes) {
        this.truncateAfter = bytes;
        return this;
    }

    public TcpProxy dripMillis(long millis) {
        this.dripMillis = millis;
        return this;
    }

    /** Connections (either side) open right now: a gateway that closed its upstream socket shows here. */
    public int openSockets() {
        sockets.removeIf(Socket::isClosed);
        return sockets.size();
    }

    public synchronized void cut() {
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    public void stall() {
        stalled = true;
    }

    public void resume() {
        stalled = false;
    }

    public synchronized void restore() {
        listener = listen(port);
        acceptLoop(listener);
    }

    private static ServerSocket listen(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop(ServerSocket s) {
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Fault f = fault;
                    if (f == Fault.RESET) {
                        client.setSoLinger(true, 0);
                        client.close();
                        continue;
                    }
                    sockets.add(client);
                    if (f == Fault.STALL) {
                        pump(client, OutputStream.nullOutputStream(), client, client, Long.MAX_VALUE, 0);
                        continue;
                    }
                    Socket upstream = new Socket(targetHost, targetPort);
                    sockets.add(upstream);
                    pump(client, upstream);
                    long limit = f == Fault.TRUNCATE ? truncateAfter : Long.MAX_VALUE;
                    pump(upstream, client.getOutputStream(), upstream, client, limit, f == Fault.DRIP ? dripMillis : 0);
                } catch (IOException e) {
                    // listener closed by cut(), or the target refused: the client sees a closed socket
                }
            }
        });
    }

    private void pump(Socket from, Socket to) throws IOException {
        pump(from, to.getOutputStream(), from, to, Long.MAX_VALUE, 0);
    }

    /** Copies at most {@code limit} bytes ({@code dripMillis} apart when positive), then closes both sockets. */
    private void pump(Socket from, OutputStream out, Socket a, Socket b, long limit, long dripMillis) {
        Thread.ofVirtual().start(() -> {
            try (InputStream in = from.getInputStream()) {
                byte[] buf = new byte[dripMillis > 0 ? 1 : 8192];
                long copied = 0;
                long dueNanos = 0;   // when the next dripped byte is due
                int n;
                while (copied < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - copied))) > 0) {
                    while (stalled && !from.isClosed()) {
                        Thread.sleep(5);   // hold the bytes: the other side waits on its socket timeout
                    }
                    if (dripMillis > 0) {
                        dueNanos = drip(dueNanos, dripMillis);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    copied += n;
                }
            } catch (IOException | InterruptedException e) {
                // either side closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        });
    }

    /** Most a drip may fall behind its schedule and catch up on (a pause of the source longer than this is not). */
    private static final long MAX_DRIP_LAG_NANOS = 250_000_000;

    /**
     * Waits until a dripped byte is due and returns when the next one is. Paced against a schedule rather
     * than slept after each byte: on a loaded machine every sleep overshoots, and the overshoots of a few
     * hundred bytes added up past the deadlines the drip is meant to keep within. Bytes that fall behind go
     * out back to back, still one per write.
     */
    private static long drip(long dueNanos, long dripMillis) throws InterruptedException {
        long now = System.nanoTime();
        if (dueNanos == 0 || now - dueNanos > MAX_DRIP_LAG_NANOS) {
            dueNanos = dueNanos == 0 ? now : now - MAX_DRIP_LAG_NANOS;
        }
        long aheadNanos = dueNanos - now;
        if (aheadNanos > 0) {
            Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
        }
        return dueNanos + dripMillis * 1_000_000;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}
