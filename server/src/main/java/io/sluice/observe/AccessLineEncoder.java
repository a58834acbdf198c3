package io.sluice.observe;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Access lines in the text format, written without logback's pattern layout: the same bytes as
 * {@value Logs#PATTERN} for the {@value AccessLogFilter#LOGGER} logger (whose name is shorter than
 * the pattern's 24 characters, so it is never abbreviated). The writer thread formats one line per
 * request; measured under an authenticated GET, the layout's converter loop, date formatter and
 * padding were about a tenth of the server's CPU, paid once per target (file, then console).
 *
 * <p>The date is formatted once per second; the line for the last event is kept, so the console
 * reuses the file's bytes. A line that is not clean ({@link SafeLogEvent#isClean}) or carries a
 * throwable gets {@code null}: the caller takes the ordinary, guarded path.
 */
final class AccessLineEncoder {
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.")
            .withZone(ZoneId.systemDefault());   // the zone logback's %d uses when the pattern names none
    private static final String AFTER_LEVEL = " " + AccessLogFilter.LOGGER + " - ";
    private static final String EOL = System.lineSeparator();

    private record Second(long epochSecond, String text) {
    }

    private record Line(ILoggingEvent event, byte[] bytes) {
    }

    private volatile Second second = new Second(Long.MIN_VALUE, "");
    private volatile Line last;

    /** True for the events this encoder writes: access lines without a throwable. */
    static boolean handles(ILoggingEvent e) {
        return e.getThrowableProxy() == null && AccessLogFilter.LOGGER.equals(e.getLoggerName());
    }

    /** The line's bytes, or null when the guarded path must write it (see the class comment). */
    byte[] encode(ILoggingEvent e) {
        Line l = last;
        if (l != null && l.event == e) {
            return l.bytes;
        }
        String msg = e.getFormattedMessage();
        if (msg == null || !SafeLogEvent.isClean(msg)) {
            return null;
        }
        long ms = e.getTimeStamp();
        long sec = Math.floorDiv(ms, 1000);
        int milli = (int) Math.floorMod(ms, 1000);
        Second s = second;
        if (s.epochSecond != sec) {
            s = new Second(sec, SECOND.format(Instant.ofEpochSecond(sec)));
            second = s;
        }
        String level = e.getLevel().toString();   // %-5level: INFO and WARN padded to five
        byte[] bytes = (s.text + (milli < 100 ? (milli < 10 ? "00" : "0") : "") + milli + ' '
                        + (level.length() < 5 ? level + " " : level) + AFTER_LEVEL + msg + EOL)
                .getBytes(StandardCharsets.UTF_8);
        last = new Line(e, bytes);
        return bytes;
    }
}
