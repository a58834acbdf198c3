package io.sluice.http;

/**
 * Caller-controlled text on its way into a message, a log line or an error body: printable ASCII
 * only (anything else, newlines and NUL included, becomes '?') and bounded, so an echoed value can
 * neither forge a log line nor blow up an answer.
 */
public final class Text {
    private Text() {
    }

    /** Printable and at most {@code max} characters, with "..." when cut; "" for null. */
    public static String clip(String s, int max) {
        if (s == null) {
            return "";
        }
        int n = Math.min(s.length(), max);
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                if (sb == null) {
                    sb = new StringBuilder(n + 3).append(s, 0, i);
                }
                sb.append('?');
            } else if (sb != null) {
                sb.append(c);
            }
        }
        if (sb == null && s.length() <= max) {
            return s;   // the common case: already clean, no copy
        }
        String clean = sb == null ? s.substring(0, n) : sb.toString();
        return s.length() > max ? clean + "..." : clean;
    }
}
