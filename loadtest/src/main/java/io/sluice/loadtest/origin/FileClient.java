package io.sluice.loadtest.origin;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A download client on one keep-alive HTTP/1.1 connection that never holds a body: it reads through
 * one 64 KB buffer, optionally at a capped rate (a slow client: a phone on a bad link), optionally
 * hashing what it read. Content-Length bodies only (what file origins and the file proxy send).
 */
public final class FileClient implements Closeable {
    private final String host;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final long bytesPerSecond;
    private final byte[] buffer = new byte[64 * 1024];

    /** The outcome of one download; {@code sha256} is null unless asked for. */
    public record Download(int status, long bytes, long expected, long nanos, String sha256, String cacheHeader) {
        public boolean complete() {
            return expected >= 0 && bytes == expected;
        }
    }

    /** {@code bytesPerSecond} 0: read as fast as the data comes. */
    public FileClient(URI base, int timeoutMs, long bytesPerSecond) throws IOException {
        this.host = base.getHost() + ":" + base.getPort();
        this.bytesPerSecond = bytesPerSecond;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        if (bytesPerSecond > 0) {
            socket.setReceiveBufferSize(64 * 1024);   // a small window, so the pace reaches the sender
        }
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), timeoutMs);
        socket.setSoTimeout(timeoutMs);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    /** GET {@code path} (with {@code headers}: whole lines ending in CRLF) and read the body to its end. */
    public Download get(String path, String headers, boolean hash) throws IOException {
        long t0 = System.nanoTime();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        String cache = null;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (lower.startsWith("x-sluice-cache:")) {
                cache = h.substring(15).trim();
            } else if (lower.startsWith("transfer-encoding:")) {
                throw new IOException("chunked bodies are not read by this client");
            }
        }
        MessageDigest md = hash ? Content.digest() : null;
        long read = 0;
        long started = System.nanoTime();
        while (read < Math.max(length, 0)) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                break;   // cut short: the caller sees bytes < expected
            }
            if (md != null) {
                md.update(buffer, 0, n);
            }
            read += n;
            if (bytesPerSecond > 0) {
                long ahead = started + (long) (read * 1e9 / bytesPerSecond) - System.nanoTime();
                if (ahead > 1_000_000) {
                    try {
                        Thread.sleep(ahead / 1_000_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
            }
        }
        return new Download(code, read, length, System.nanoTime() - t0, md == null ? null : HexFormat.of().formatHex(md.digest()), cache);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return sb.toString().stripTrailing();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
