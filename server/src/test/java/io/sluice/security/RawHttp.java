package io.sluice.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Requests no HTTP client would send, over a plain socket; one per connection. */
final class RawHttp {
    private RawHttp() {
    }

    static byte[] hostile(Random r, String secret) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String method = Mutations.METHODS[r.nextInt(Mutations.METHODS.length)];
        switch (r.nextInt(11)) {
            case 10 -> write(out, "GET /health HTTP/1.1\r\nHost: x\r\nX-Cut: " + secret, false);   // headers cut off
            case 0 -> write(out, method + " /v1/models/\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n", true);
            case 1 -> {
                write(out, method + " /v1/sessions/", false);
                out.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xF0, (byte) 0x80});
                write(out, " HTTP/1.1\r\nHost: x\r\n\r\n", false);
            }
            case 2 -> write(out, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000 + r.nextInt(40_000)) + "\r\n\r\n", false);
            case 3 -> write(out, "GET /health HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", false);
            case 4 -> out.writeBytes(Mutations.random(r, 1 + r.nextInt(2000)));
            case 5 -> write(out, method + " " + "/a".repeat(r.nextInt(5000)) + " HTTP/1.1\r\nHost: x\r\n\r\n", false);
            case 6 -> write(out, "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 + "Content-Length: 500\r\n\r\n{\"username\":\"a\",\"password\":\"" + secret, false);
            case 7 -> write(out, "GET /v1/models HTTP/9.9\r\nHost: x\r\nAuthorization: Bearer " + secret + "\r\n\r\n", false);
            case 8 -> write(out, "POST /diag/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", false);
            default -> {
                write(out, "POST /diag/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n"
                           + "X-Bin: ", false);
                out.writeBytes(new byte[] {(byte) 0xFF, 0x01, (byte) 0x80});
                write(out, "\r\n\r\n{\"a\":\"\u00ff\"}", true);
            }
        }
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s, boolean latin1) {
        out.writeBytes(s.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
    }

    /** Sends the bytes, half-closes, and reads the answer until the server closes (bounded). */
    static String exchange(int port, byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server may close early (e.g. an oversize header): read what it said
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0 && answer.size() < 1_000_000; ) {
                    answer.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                return "TIMEOUT " + answer.toString(StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                // reset after an answer is fine
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    static int status(String answer) {
        if (answer.startsWith("TIMEOUT")) {
            return 599;
        }
        if (answer.startsWith("HTTP/1.1 ") && answer.length() >= 12) {
            try {
                return Integer.parseInt(answer.substring(9, 12));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }
}
