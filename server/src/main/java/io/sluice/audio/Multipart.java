package io.sluice.audio;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * A {@code multipart/form-data} body (RFC 7578) already received whole, split into its parts. The
 * body is in memory and bounded by the upload limit before this runs; the parser bounds what it
 * makes of it (parts, header lines) and answers 400 for anything malformed, never 500.
 */
final class Multipart {
    private static final int MAX_PARTS = 16;
    private static final int MAX_HEADER_BYTES = 8192;

    /** One part: its form field name, the file name and media type a file part declares (else null), its bytes. */
    record Part(String name, String filename, String contentType, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private Multipart() {
    }

    /** The boundary of a multipart/form-data Content-Type, or empty when it is not one. */
    static Optional<String> boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return Optional.empty();
        }
        for (String param : contentType.split(";")) {
            String p = param.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length()).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                return b.isEmpty() || b.length() > 70 ? Optional.empty() : Optional.of(b);
            }
        }
        return Optional.empty();
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw malformed("no boundary line");
        }
        List<Part> parts = new ArrayList<>();
        at += delimiter.length;
        while (true) {
            if (startsWith(body, at, "--")) {
                return parts;   // the closing delimiter
            }
            if (!startsWith(body, at, "\r\n")) {
                throw malformed("a boundary line is not followed by CRLF");
            }
            at += 2;
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), at);
            if (headersEnd < 0 || headersEnd - at > MAX_HEADER_BYTES) {
                throw malformed("a part has no end of headers within " + MAX_HEADER_BYTES + " bytes");
            }
            String headers = new String(body, at, headersEnd - at, StandardCharsets.UTF_8);
            int dataStart = headersEnd + 4;
            int dataEnd = indexOf(body, next, dataStart);
            if (dataEnd < 0) {
                throw malformed("the body ends inside a part (no closing boundary)");
            }
            if (parts.size() == MAX_PARTS) {
                throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, "multipart body: more than " + MAX_PARTS + " parts");
            }
            parts.add(part(headers, Arrays.copyOfRange(body, dataStart, dataEnd)));
            at = dataEnd + next.length;
        }
    }

    private static Part part(String headers, byte[] data) {
        String name = null;
        String filename = null;
        String type = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw malformed("a part header line without a colon");
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            if (key.equals("content-disposition")) {
                name = param(value, "name");
                filename = param(value, "filename");
            } else if (key.equals("content-type")) {
                type = value;
            }
        }
        if (name == null || name.isEmpty()) {
            throw malformed("a part without a Content-Disposition name");
        }
        return new Part(name, filename, type, data);
    }

    /** A parameter of Content-Disposition ({@code name="file"}, quoted or not); null when absent. */
    private static String param(String header, String key) {
        for (String p : header.split(";")) {
            String t = p.trim();
            int eq = t.indexOf('=');
            if (eq > 0 && t.substring(0, eq).trim().equalsIgnoreCase(key)) {
                String v = t.substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] body, int at, String s) {
        if (at + s.length() > body.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (body[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        byte first = needle[0];
        int last = body.length - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (body[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static ApiException malformed(String why) {
        return ApiException.badRequest(ErrorCode.INVALID_REQUEST, "malformed multipart body: " + why);
    }
}
