package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of an upstream's event stream, each at most {@code maxLine} bytes: a line that would be
 * longer fails the stream as an invalid answer instead of growing the heap (BufferedReader.readLine
 * has no limit). Lines end with LF, CR LF or CR, as the SSE format allows.
 */
final class SseLines {
    private final InputStream in;
    private final int maxLine;
    private final String provider;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private boolean skipLf;   // the last line ended with CR: a following LF belongs to it

    SseLines(InputStream in, int maxLine, String provider) {
        this.in = in;
        this.maxLine = maxLine;
        this.provider = provider;
    }

    /** The next line without its terminator, or null at the end of the stream (a last unterminated line is returned first). */
    String next() throws IOException, UpstreamException {
        int length = 0;
        while (true) {
            if (pos == end && !fill()) {
                return length == 0 ? null : decode(length);
            }
            byte b = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\n' || b == '\r') {
                skipLf = b == '\r';
                return decode(length);
            }
            if (length == maxLine) {
                throw UpstreamException.invalid(provider, "a stream line longer than " + maxLine + " bytes");
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(maxLine, line.length * 2));
            }
            line[length++] = b;
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private String decode(int length) {
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }
}
