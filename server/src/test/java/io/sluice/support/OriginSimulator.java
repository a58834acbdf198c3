package io.sluice.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file origin on a real port (raw HTTP/1.1 over sockets, keep-alive, one virtual thread per
 * connection): files of given sizes with deterministic content generated while sending (no memory
 * held), strong ETags, Last-Modified, single Range requests (206/416; several ranges get the whole
 * file, as RFC 9110 allows), If-None-Match / If-Modified-Since (304). Faults, changeable at run time:
 * added latency before the headers (fixed or a range), a bandwidth cap, and shares of stalled (headers
 * never come), reset (RST) and 500 answers. {@code GET /redirect} answers 302 to another host. A missing
 * file is a 404 with an HTML page, as web servers send; {@link #errors} makes a name answer another status
 * with such a page (429 with {@code Retry-After: 7}). Counts open and accepted connections, so a test can
 * see the proxy let go of one or reuse it.
 */
public final class OriginSimulator implements AutoCloseable {
    public static final String LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT";
    /** In every error page the origin sends: a client of the proxy must never see it. */
    public static final String ERROR_PAGE_MARK = "origin-error-page";

    private final ServerSocket server;
    private final Map<String, Long> files = new ConcurrentHashMap<>();
    /** A Cache-Control header per file name (absent: none sent). */
    public final Map<String, String> cacheControl = new ConcurrentHashMap<>();
    /** A status per file name, answered with an HTML error page instead of the file (or of a 404). */
    public final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    public volatile int latencyMinMs;
    public volatile int latencyMaxMs;
    public volatile long bytesPerSecond;   // 0: no cap
    public volatile double stallShare;
    public volatile double resetShare;
    public volatile double errorShare;

    public OriginSimulator() {
        try {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofVirtual().name("origin-sim").start(this::accept);
    }

    public OriginSimulator file(String name, long size) {
        files.put(name, size);
        return this;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/media/";
    }

    public int openConnections() {
        return open.get();
    }

    /** Connections accepted since start: unchanged over several requests when the proxy reuses one. */
    public int acceptedConnections() {
        return accepted.get();
    }

    public int requests() {
        return requests.get();
    }

    public void latency(int fixedMs) {
        latencyMinMs = fixedMs;
        latencyMaxMs = fixedMs;
    }

    /** The content of every file: byte i of a file is a function of i alone. */
    public static void fill(byte[] buf, long offset, int len) {
        for (int i = 0; i < len; i++) {
            long p = offset + i;
            buf[i] = (byte) (p * 31 + (p >>> 11) * 7);
        }
    }

    public static String sha256(long from, long length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(buf.length, length - done);
                fill(buf, from + done, n);
                md.update(buf, 0, n);
                done += n;
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.incrementAndGet();
                accepted.incrementAndGet();
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
                Map<String, String> headers = new ConcurrentHashMap<>();
                for (String h; !(h = readLine(in)).isEmpty(); ) {
                    int colon = h.indexOf(':');
                    headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                }
                requests.incrementAndGet();
                String[] parts = line.split(" ");
                if (!answer(parts[0], parts[1], headers, s, out)) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the peer went away or reset: this connection is done
        } finally {
            open.decrementAndGet();
        }
    }

    /** One answer; false when the connection must end (stall, reset). */
    private boolean answer(String method, String path, Map<String, String> h, Socket s, OutputStream out) throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int latency = latencyMaxMs > latencyMinMs ? random.nextInt(latencyMinMs, latencyMaxMs + 1) : latencyMinMs;
        if (latency > 0) {
            sleep(latency);
        }
        if (random.nextDouble() < stallShare) {
            sleep(60_000);   // never answers within any test; the proxy's read timeout must fire
            return false;
        }
        if (random.nextDouble() < resetShare) {
            s.setSoLinger(true, 0);
            return false;
        }
        if (random.nextDouble() < errorShare) {
            head(out, "500 Internal Server Error", "Content-Length: 0\r\n");
            return true;
        }
        if (path.equals("/redirect")) {
            head(out, "302 Found", "Location: http://203.0.113.9/evil\r\nContent-Length: 0\r\n");
            return true;
        }
        String name = path.startsWith("/media/") ? path.substring(7) : "";
        Integer error = errors.get(name);
        Long size = files.get(name);
        if (error != null || size == null) {
            errorPage(out, method, error == null ? 404 : error);
            return true;
        }
        String etag = "\"" + path.substring(7) + "-" + size + "\"";
        String control = cacheControl.get(path.substring(7));
        String validators = "ETag: " + etag + "\r\nLast-Modified: " + LAST_MODIFIED + "\r\nAccept-Ranges: bytes\r\n"
                            + (control == null ? "" : "Cache-Control: " + control + "\r\n");
        if (etag.equals(h.get("if-none-match")) || LAST_MODIFIED.equals(h.get("if-modified-since"))) {
            head(out, "304 Not Modified", validators);
            return true;
        }
        long from = 0;
        long length = size;
        String status = "200 OK";
        String extra = "";
        String range = h.get("range");
        if (range != null && range.startsWith("bytes=") && !range.contains(",")) {
            String spec = range.substring(6).trim();
            int dash = spec.indexOf('-');
            long a;
            long b;
            if (dash == 0) {
                long n = Long.parseLong(spec.substring(1));
                a = Math.max(0, size - n);
                b = size - 1;
            } else {
                a = Long.parseLong(spec.substring(0, dash));
                b = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            }
            if (a >= size || a > b) {
                head(out, "416 Range Not Satisfiable", "Content-Range: bytes */" + size + "\r\nContent-Length: 0\r\n");
                return true;
            }
            from = a;
            length = b - a + 1;
            status = "206 Partial Content";
            extra = "Content-Range: bytes " + a + "-" + b + "/" + size + "\r\n";
        }
        head(out, status, validators + extra + "Content-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n");
        if (method.equals("GET")) {
            body(out, from, length);
        }
        return true;
    }

    private void body(OutputStream out, long from, long length) throws IOException {
        byte[] buf = new byte[16 * 1024];
        long started = System.nanoTime();
        for (long sent = 0; sent < length; ) {
            int n = (int) Math.min(buf.length, length - sent);
            fill(buf, from + sent, n);
            out.write(buf, 0, n);
            sent += n;
            long cap = bytesPerSecond;
            if (cap > 0) {   // pace: never ahead of cap bytes per second since the body started
                long due = started + (long) (sent * 1e9 / cap);
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    sleep(ahead / 1_000_000 + 1);
                }
            }
        }
        out.flush();
    }

    /** An error status with a small HTML page, like nginx's or Apache's (no body for HEAD). */
    private static void errorPage(OutputStream out, String method, int status) throws IOException {
        byte[] page = ("<html><head><title>" + status + "</title></head><body><h1>Error " + status + "</h1><p>"
                       + ERROR_PAGE_MARK + " served by nginx/1.27 at /srv/media</p></body></html>\n").getBytes(StandardCharsets.UTF_8);
        head(out, status + " Error", (status == 429 ? "Retry-After: 7\r\n" : "") + "Content-Type: text/html; charset=utf-8\r\n"
                                     + "Content-Length: " + page.length + "\r\n");
        if (!method.equals("HEAD")) {
            out.write(page);
            out.flush();
        }
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
}
