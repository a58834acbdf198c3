package io.sluice.loadtest.origin;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content of every simulated file: byte {@code p} is a function of {@code p} alone (the same
 * formula as the server tests' origin), so a file of any size is generated while it is sent, never
 * held, and a client can check what it got without a copy.
 */
public final class Content {
    private Content() {
    }

    public static void fill(byte[] buf, long offset, int len) {
        for (int i = 0; i < len; i++) {
            long p = offset + i;
            buf[i] = (byte) (p * 31 + (p >>> 11) * 7);
        }
    }

    /** SHA-256 (hex) of {@code length} bytes of content starting at {@code from}. */
    public static String sha256(long from, long length) {
        MessageDigest md = digest();
        byte[] buf = new byte[64 * 1024];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(buf.length, length - done);
            fill(buf, from + done, n);
            md.update(buf, 0, n);
            done += n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "100", "64KB", "10MB", "1GB" (binary units) as bytes. */
    public static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        for (String[] u : new String[][] {{"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"}, {"B", "1"}}) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size (100, 64KB, 10MB, 1GB): '" + s + "'");
        }
    }

    /** "10Mbit", "1Mbit", "512Kbit", "1Gbit" (bits per second, decimal) or a plain byte rate ("125000", "1MB") as bytes/s. */
    public static long parseRate(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT).replace("/s", "").replace("ps", "");
        for (String[] u : new String[][] {{"gbit", "1000000000"}, {"mbit", "1000000"}, {"kbit", "1000"}, {"bit", "1"}}) {
            if (t.endsWith(u[0])) {
                try {
                    return Math.round(Double.parseDouble(t.substring(0, t.length() - u[0].length()).trim()) * Long.parseLong(u[1]) / 8);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a rate (10Mbit, 512Kbit, 125000): '" + s + "'");
                }
            }
        }
        return parseSize(s);
    }
}
