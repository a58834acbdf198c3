package io.sluice.loadtest.origin;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A file origin on a real port with a simulated bad network ({@code tc netem} is not available here):
 * raw HTTP/1.1 over sockets, keep-alive, one virtual thread per connection. Files of any size are
 * generated while they are sent ({@link Content}), 16 KB at a time, so a 1 GB file costs no memory.
 * Strong ETags, Last-Modified, one Range per request (206/416; several ranges get the whole file, as
 * RFC 9110 allows), If-None-Match / If-Modified-Since (304), HEAD. The conditions of
 * {@link OriginOptions} apply to every answer; {@code GET /_origin/stats} counts what happened.
 *
 * <p>Standalone: {@code java -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.origin.FileOrigin
 * --port=9180 --latency-ms=100-200 --bandwidth=10Mbit --stall-share=0.015}.
 */
public final class FileOrigin implements AutoCloseable {
    public static final String LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT";
    private static final int CHUNK = 16 * 1024;

    private final ServerSocket server;
    private volatile OriginOptions options;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder resets = new LongAdder();

    public FileOrigin(OriginOptions options) throws IOException {
        this.options = options;
        this.server = new ServerSocket(options.port(), 4096, InetAddress.getByName(options.host()));
        Thread.ofVirtual().name("file-origin").start(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String baseUrl() {
        return "http://" + options.host() + ":" + port() + options.prefix();
    }

    /** New conditions for the answers that start from now on. */
    public void conditions(OriginOptions next) {
        this.options = next;
    }

    public long requests() {
        return requests.sum();
    }

    public int openConnections() {
        return open.get();
    }

    public String statsJson() {
        return String.format("{\"requests\":%d,\"bytes\":%d,\"stalls\":%d,\"resets\":%d,\"open_connections\":%d}",
                             requests.sum(), bytes.sum(), stalls.sum(), resets.sum(), open.get());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                open.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String line = readLine(in);
                if (line == null || line.isEmpty()) {
                    return;
                }
                Map<String, String> headers = new HashMap<>();
                for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
                    int colon = h.indexOf(':');
                    if (colon > 0) {
                        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                    }
                }
                String[] parts = line.split(" ");
                if (parts.length < 3 || !answer(parts[0], parts[1], headers, s, out)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the peer went away: this connection is done
        } finally {
            open.decrementAndGet();
        }
    }

    /** One answer; false when the connection must end (a reset). */
    private boolean answer(String method, String path, Map<String, String> h, Socket s, OutputStream out) throws IOException {
        if (path.equals("/_origin/stats")) {
            byte[] json = statsJson().getBytes(StandardCharsets.UTF_8);
            head(out, "200 OK", "Content-Type: application/json\r\nContent-Length: " + json.length + "\r\n");
            out.write(json);
            out.flush();
            return true;
        }
        requests.increment();
        OriginOptions o = options;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int latency = o.latencyMaxMs() > o.latencyMinMs() ? random.nextInt(o.latencyMinMs(), o.latencyMaxMs() + 1) : o.latencyMinMs();
        if (latency > 0) {
            sleep(latency);
        }
        if (random.nextDouble() < o.errorShare()) {
            head(out, "500 Internal Server Error", "Content-Length: 0\r\n");
            return true;
        }
        Long size = size(o, path);
        if (size == null) {
            head(out, "404 Not Found", "Content-Length: 0\r\n");
            return true;
        }
        String name = path.substring(o.prefix().length());
        String etag = "\"" + name.replace('"', '_') + "-" + size + "\"";
        String validators = "ETag: " + etag + "\r\nLast-Modified: " + LAST_MODIFIED + "\r\nAccept-Ranges: bytes\r\n"
                            + (o.cacheControl().isEmpty() ? "" : "Cache-Control: " + o.cacheControl() + "\r\n");
        if (etag.equals(h.get("if-none-match")) || LAST_MODIFIED.equals(h.get("if-modified-since"))) {
            head(out, "304 Not Modified", validators);
            return true;
        }
        long from = 0;
        long length = size;
        String status = "200 OK";
        String extra = "";
        long[] range = range(h.get("range"), size);
        if (range != null && range.length == 0) {
            head(out, "416 Range Not Satisfiable", "Content-Range: bytes */" + size + "\r\nContent-Length: 0\r\n");
            return true;
        }
        if (range != null) {
            from = range[0];
            length = range[1] - range[0] + 1;
            status = "206 Partial Content";
            extra = "Content-Range: bytes " + range[0] + "-" + range[1] + "/" + size + "\r\n";
        }
        head(out, status, validators + extra + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n");
        if (!method.equals("GET")) {
            return true;
        }
        // A stall or a reset happens half-way through the body (after the headers, as lost packets would).
        long stallAt = random.nextDouble() < o.stallShare() ? length / 2 : -1;
        long resetAt = random.nextDouble() < o.resetShare() ? length / 2 : -1;
        return body(o, s, out, from, length, stallAt, resetAt);
    }

    /** The size a path stands for: a named file, or a name that is a size ("64KB", "1GB.bin"); null: none. */
    private static Long size(OriginOptions o, String path) {
        if (!path.startsWith(o.prefix())) {
            return null;
        }
        String name = path.substring(o.prefix().length());
        Long named = o.files().get(name);
        if (named != null) {
            return named;
        }
        try {
            return Content.parseSize(name.endsWith(".bin") ? name.substring(0, name.length() - 4) : name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** null: no (usable) range, the whole file; {} : unsatisfiable; {first, last} otherwise. */
    private static long[] range(String range, long size) {
        if (range == null || !range.startsWith("bytes=") || range.contains(",")) {
            return null;
        }
        String spec = range.substring(6).trim();
        int dash = spec.indexOf('-');
        try {
            long a;
            long b;
            if (dash == 0) {
                a = Math.max(0, size - Long.parseLong(spec.substring(1)));
                b = size - 1;
            } else {
                a = Long.parseLong(spec.substring(0, dash));
                b = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            }
            return a >= size || a > b ? new long[0] : new long[] {a, b};
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    private boolean body(OriginOptions o, Socket s, OutputStream out, long from, long length, long stallAt, long resetAt)
            throws IOException {
        byte[] buf = new byte[CHUNK];
        long started = System.nanoTime();
        long paused = 0;
        for (long sent = 0; sent < length; ) {
            if (stallAt >= 0 && sent >= stallAt) {
                out.flush();
                stalls.increment();
                sleep(o.stallMs());
                paused += o.stallMs() * 1_000_000L;
                stallAt = -1;
            }
            if (resetAt >= 0 && sent >= resetAt) {
                resets.increment();
                s.setSoLinger(true, 0);   // closing now sends RST
                return false;
            }
            int n = (int) Math.min(buf.length, length - sent);
            Content.fill(buf, from + sent, n);
            out.write(buf, 0, n);
            sent += n;
            bytes.add(n);
            long cap = o.bytesPerSecond();
            if (cap > 0) {   // pace: never ahead of cap bytes per second since the body started (stalls excluded)
                long ahead = started + paused + (long) (sent * 1e9 / cap) - System.nanoTime();
                if (ahead > 1_000_000) {
                    sleep(ahead / 1_000_000);
                }
            }
        }
        out.flush();
        return true;
    }

    private static void head(OutputStream out, String status, String headers) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\n" + headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return sb.toString().stripTrailing();
            }
            if (sb.length() > 16_384) {
                throw new IOException("header line too long");
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(OriginOptions.USAGE);
            return;
        }
        OriginOptions o;
        try {
            o = OriginOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage() + "\n\n" + OriginOptions.USAGE);
            System.exit(2);
            return;
        }
        FileOrigin origin = new FileOrigin(o);
        System.out.println("file origin on " + origin.baseUrl() + " (" + o + ")");
        Thread.currentThread().join();
    }
}
