package io.sluice.loadtest.bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal HTTP/1.1 client on one keep-alive socket: enough for a benchmark that must not be
 * bounded by its own client (content-length and chunked bodies, no TLS, no redirects).
 */
final class RawHttp implements Closeable {
    private final String host;
    private final Socket socket;
    private final InputStream in;
    private final byte[] buf = new byte[16384];   // what was read from the socket and not consumed yet: buf[pos, lim)
    private int pos;
    private int lim;
    private final OutputStream out;
    private final String extraHeaders;

    RawHttp(URI base, int timeoutMs) throws IOException {
        this(base, timeoutMs, "");
    }

    /** {@code extraHeaders}: whole header lines sent with every request, each ending in CRLF (e.g. Authorization). */
    RawHttp(URI base, int timeoutMs, String extraHeaders) throws IOException {
        this.extraHeaders = extraHeaders == null ? "" : extraHeaders;
        host = base.getHost() + ":" + base.getPort();
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), timeoutMs);
        socket.setSoTimeout(timeoutMs);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** What a streamed response looked like from the client's side. */
    record Stream(int status, long firstDataNanos, boolean done) {
    }

    record Response(int status, String retryAfter, byte[] body) {
    }

    Response exchange(String method, String path, String body) throws IOException {
        send(method, path, body);
        Head head = head();
        byte[] content = head.chunked ? chunked(null) : fixed(head.length);
        return new Response(head.status, head.retryAfter, content);
    }

    /** Sends a request and reads a chunked SSE body, noting when the first {@code data: {} arrived. */
    Stream stream(String path, String body, long startNanos) throws IOException {
        send("POST", path, body);
        Head head = head();
        long[] first = {0};
        byte[] content = head.chunked ? chunked(chunk -> {
            if (first[0] == 0 && chunk.contains("data: {")) {
                first[0] = System.nanoTime() - startNanos;
            }
        }) : fixed(head.length);
        boolean done = new String(content, StandardCharsets.UTF_8).contains("data: [DONE]");
        return new Stream(head.status, first[0], done);
    }

    private void send(String method, String path, String body) throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n")
                .append(extraHeaders);
        if (body != null) {
            req.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        }
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(payload);
        out.flush();
    }

    private record Head(int status, boolean chunked, int length, String retryAfter) {
    }

    /**
     * The status line and headers, scanned in this client's own buffer: only the three headers it needs
     * become strings, so a response with more header lines costs the client little more (with a String
     * per line, lower-cased, the client's own parsing showed up as the server's cost per header line).
     */
    private Head head() throws IOException {
        int start = lineEnd();
        if (pos - start < 12) {
            throw new IOException("short status line");
        }
        int code = (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
        boolean chunked = false;
        int length = 0;
        String retryAfter = null;
        while (true) {
            int from = lineEnd();
            int end = pos - 2;   // before CRLF
            if (end <= from) {
                break;   // the empty line
            }
            if (starts(from, end, "content-length:")) {
                length = Integer.parseInt(value(from + 15, end));
            } else if (starts(from, end, "transfer-encoding:")) {
                chunked = value(from + 18, end).toLowerCase(Locale.ROOT).contains("chunked");
            } else if (starts(from, end, "retry-after:")) {
                retryAfter = value(from + 12, end);
            }
        }
        return new Head(code, chunked, length, retryAfter);
    }

    /** Consumes one line (through its LF) and returns where it starts in {@code buf}; {@code pos} is then past it. */
    private int lineEnd() throws IOException {
        int scan = pos;
        while (true) {
            for (int i = scan; i < lim; i++) {
                if (buf[i] == '\n') {
                    int start = pos;
                    pos = i + 1;
                    return start;
                }
            }
            scan = lim - pos;
            if (!fill()) {
                throw new IOException("connection closed");
            }
            scan += pos;
        }
    }

    /** Reads more into the buffer, moving what is left to its start first; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            throw new IOException("header line longer than " + buf.length + " bytes");
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            return false;
        }
        lim += n;
        return true;
    }

    private boolean starts(int from, int end, String lowerName) {
        if (end - from < lowerName.length()) {
            return false;
        }
        for (int k = 0; k < lowerName.length(); k++) {
            if (Character.toLowerCase((char) buf[from + k]) != lowerName.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private String value(int from, int end) {
        return new String(buf, from, end - from, StandardCharsets.ISO_8859_1).trim();
    }

    private byte[] fixed(int length) throws IOException {
        byte[] body = new byte[length];
        int have = Math.min(length, lim - pos);
        System.arraycopy(buf, pos, body, 0, have);
        pos += have;
        if (have < length) {
            int n = in.readNBytes(body, have, length - have);
            if (n < length - have) {
                throw new IOException("connection closed");
            }
        }
        return body;
    }

    private byte[] chunked(java.util.function.Consumer<String> onChunk) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                line();   // the empty line after the last chunk
                return body.toByteArray();
            }
            byte[] chunk = fixed(size);
            line();
            body.write(chunk);
            if (onChunk != null) {
                onChunk.accept(new String(chunk, StandardCharsets.UTF_8));
            }
        }
    }

    private String line() throws IOException {
        int from = lineEnd();
        int end = pos - 1;
        if (end > from && buf[end - 1] == '\r') {
            end--;
        }
        return new String(buf, from, end - from, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One GET on a fresh connection, the body as text. */
    static String get(URI base, String path) {
        try (RawHttp c = new RawHttp(base, 60_000)) {
            return new String(c.exchange("GET", path, null).body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A string field of a flat JSON object, without a JSON library. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

}
