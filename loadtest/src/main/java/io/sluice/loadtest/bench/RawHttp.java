package io.sluice.loadtest.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
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
    private final BufferedInputStream in;
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
        in = new BufferedInputStream(socket.getInputStream(), 16384);
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

    private Head head() throws IOException {
        String status = line();
        int code = Integer.parseInt(status.substring(9, 12));
        boolean chunked = false;
        int length = 0;
        String retryAfter = null;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            } else if (lower.startsWith("retry-after:")) {
                retryAfter = h.substring(12).trim();
            }
        }
        return new Head(code, chunked, length, retryAfter);
    }

    private byte[] fixed(int length) throws IOException {
        return in.readNBytes(length);
    }

    private byte[] chunked(java.util.function.Consumer<String> onChunk) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line().split(";")[0].trim(), 16);
            if (size == 0) {
                line();   // the empty line after the last chunk
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            line();
            body.write(chunk);
            if (onChunk != null) {
                onChunk.accept(new String(chunk, StandardCharsets.UTF_8));
            }
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed");
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
