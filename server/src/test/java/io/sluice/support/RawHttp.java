package io.sluice.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A request line written as-is (backslashes, NUL escapes, dot segments): what a JDK client would refuse or normalise. */
public final class RawHttp {
    public record Answer(int status, String body) {
    }

    private RawHttp() {
    }

    public static Answer get(int port, String rawPath) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);   // a safety bound only: a loaded CI machine can be slow to start an answer
            s.getOutputStream().write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                                              .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = headerBlock(in);
            int status = Integer.parseInt(head.substring(9, 12));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
            return new Answer(status, new String(body, StandardCharsets.UTF_8));
        }
    }

    /**
     * A HEAD answer as sent: the status, the header block, and the first bytes after it. The HEAD is sent twice on
     * one connection, so those bytes are the second answer's status line ("HTTP/1.1 ") unless a body came between.
     */
    public record Head(int status, String headers, String next) {
        public String header(String name) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^" + name + ":\\s*(.*?)\\s*$").matcher(headers);
            return m.find() ? m.group(1) : null;
        }
    }

    public static Head head(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);   // a safety bound only
            String request = "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n";
            s.getOutputStream().write((request + "\r\n" + request + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = headerBlock(in);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Head(status, head, new String(in.readNBytes(9), StandardCharsets.ISO_8859_1));
        }
    }

    /** The status line and headers up to and including the empty line (ISO-8859-1). */
    private static String headerBlock(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || head.lastIndexOf("\r\n\r\n") != head.length() - 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    /** Opens a GET, reads the status line and a few bytes of the body, then hangs up without reading the rest. */
    public static int getAndHangUp(int port, String path, int bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);   // a safety bound only: a loaded CI machine can be slow to start an answer
            s.setReceiveBufferSize(4096);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            in.readNBytes(bytes);
            s.setSoLinger(true, 0);   // hang up hard, like a closed browser tab
            return Integer.parseInt(new String(head, 9, 3, StandardCharsets.ISO_8859_1));
        }
    }
}
