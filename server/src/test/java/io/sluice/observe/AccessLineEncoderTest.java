package io.sluice.observe;

import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written access line is byte for byte what logback's pattern layout writes, and unclean lines take the guarded path. */
class AccessLineEncoderTest {
    private final LoggerContext ctx = new LoggerContext();
    private final PatternLayoutEncoder layout = layout();

    private PatternLayoutEncoder layout() {
        PatternLayoutEncoder p = new PatternLayoutEncoder();
        p.setContext(ctx);
        p.setPattern(Logs.PATTERN);
        p.start();
        return p;
    }

    private LoggingEvent event(String logger, Level level, String message, long timeMillis) {
        Logger log = ctx.getLogger(logger);
        LoggingEvent e = new LoggingEvent(Logger.FQCN, log, level, message, null, null);
        e.setTimeStamp(timeMillis);
        return e;
    }

    @Test
    void sameBytesAsThePatternLayout() {
        AccessLineEncoder fast = new AccessLineEncoder();
        long t = 1_795_433_379_000L;
        String line = "0123abcd GET /v1/models ip=127.0.0.1 session=none ua=\"curl/8 é ✓\" status=200 duration_ms=0.3";
        for (long ms : new long[] {t, t + 7, t + 42, t + 999, t + 1000, t + 61_005, t + 86_400_123L}) {
            for (Level level : new Level[] {Level.INFO, Level.DEBUG, Level.WARN}) {
                LoggingEvent e = event(AccessLogFilter.LOGGER, level, line, ms);
                assertTrue(AccessLineEncoder.handles(e));
                byte[] expected = layout.encode(e);
                assertArrayEquals(expected, fast.encode(e), new String(expected, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void theLastLineIsReusedForTheNextTarget() {
        AccessLineEncoder fast = new AccessLineEncoder();
        LoggingEvent e = event(AccessLogFilter.LOGGER, Level.INFO, "x GET / status=200", 1_000L);
        assertSame(fast.encode(e), fast.encode(e));
    }

    @Test
    void uncleanLinesAndOtherLoggersTakeTheGuardedPath() {
        AccessLineEncoder fast = new AccessLineEncoder();
        assertNull(fast.encode(event(AccessLogFilter.LOGGER, Level.INFO, "forged\nline", 1_000L)));
        assertNull(fast.encode(event(AccessLogFilter.LOGGER, Level.INFO, "x PSQLException: secret", 1_000L)));
        assertFalse(AccessLineEncoder.handles(event("io.sluice.Other", Level.INFO, "hello", 1_000L)));
        // Through SafeEncoder: the forged line is written escaped, on one line.
        SafeEncoder safe = new SafeEncoder(layout, fast);
        String written = new String(safe.encode(event(AccessLogFilter.LOGGER, Level.INFO, "forged\nline", 1_000L)),
                                    StandardCharsets.UTF_8);
        assertEquals(1, written.strip().lines().count(), written);
        assertTrue(written.contains("forged\\nline"), written);
    }
}
