package io.sluice.http;

/**
 * One byte range of a representation of known length, from a {@code Range} header (RFC 9110 §14):
 * {@code bytes=first-last}, {@code bytes=first-} or {@code bytes=-suffix}. {@link #parse} gives null
 * when the whole representation should be sent (no header, another unit, a malformed value, or
 * several ranges, which a server may answer with the whole file) and {@link #UNSATISFIABLE} when no
 * byte of the range exists (416). Files served from disk use it; {@code /files/} passes ranges on to
 * its origins instead.
 */
public record ByteRange(long first, long last) {
    public static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    public static ByteRange parse(String header, long length) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            if (a.isEmpty()) {                       // the last N bytes
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || length == 0) {
                    return suffix < 0 ? null : UNSATISFIABLE;
                }
                return new ByteRange(Math.max(0, length - suffix), length - 1);
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (first < 0 || last < first) {
                return null;                         // invalid: ignored, the whole representation is sent
            }
            if (first >= length) {
                return UNSATISFIABLE;
            }
            return new ByteRange(first, Math.min(last, length - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public long length() {
        return last - first + 1;
    }

    /** The {@code Content-Range} value of this range of a representation of {@code total} bytes. */
    public String contentRange(long total) {
        return this == UNSATISFIABLE ? "bytes */" + total : "bytes " + first + "-" + last + "/" + total;
    }
}
