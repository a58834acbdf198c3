package io.sluice.observe;

import java.nio.file.Path;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.LevelFilter;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logback, set up from {@code logging:} in the config: logs/server.log (INFO and up), logs/error.log
 * (ERROR only), both rotated by size (server.log.1 ... server.log.N, as the seed's RotatingFileHandler;
 * the cap is counted in bytes, see {@link SizeCapPolicy}), and the console. Every line goes through
 * {@link SafeEncoder}. Helidon's java.util.logging is bridged in.
 */
public final class Logs {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
    /** One for every text encoder: the console reuses the line the file was just given. */
    private static final AccessLineEncoder ACCESS_LINES = new AccessLineEncoder();

    private Logs() {
    }

    public static void configure(LogSettings s) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        LevelChangePropagator jul = new LevelChangePropagator();   // keeps disabled JUL levels cheap
        jul.setContext(ctx);
        jul.setResetJUL(true);
        jul.start();
        ctx.addListener(jul);

        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(file(ctx, s, "server", Level.INFO, false));
        root.addAppender(file(ctx, s, "error", Level.ERROR, true));
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("console");
        console.setEncoder(encoder(ctx, false));
        console.start();
        root.addAppender(console);
        // Quiet libraries that are chatty at INFO.
        ctx.getLogger("org.flywaydb").setLevel(Level.WARN);
        ctx.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        ctx.getLogger("io.zonky").setLevel(Level.WARN);

        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /**
     * Access lines leave the request thread: the {@code sluice.access} logger writes through a
     * bounded {@link AsyncAccessAppender} to server.log, and to the console only when asked.
     * Call after {@link #configure}. Closing the result writes the lines still queued (bounded):
     * close it last, after the server has stopped.
     */
    public static AutoCloseable asyncAccessLog(AccessLogSettings s) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        java.util.List<ch.qos.logback.core.Appender<ILoggingEvent>> targets = new java.util.ArrayList<>();
        targets.add(root.getAppender("server"));
        if (s.console()) {
            targets.add(root.getAppender("console"));
        }
        FlushableFileAppender file = (FlushableFileAppender) root.getAppender("server");
        file.setImmediateFlush(false);   // the worker flushes after its batches (at most every 20 ms, and when idle)
        AsyncAccessAppender async = new AsyncAccessAppender(s.queueSize(), targets, file::flush);
        async.setContext(ctx);
        async.start();
        file.onWrite(async::written);
        ch.qos.logback.classic.Logger access = ctx.getLogger(AccessLogFilter.LOGGER);
        access.setAdditive(false);
        access.addAppender(async);
        return () -> {
            async.flush(1000);
            file.onWrite(null);
            file.setImmediateFlush(true);   // the last lines of the shutdown go straight to the file
            file.flush();
        };
    }

    /** True when server.log is written as JSON, whose lines carry the MDC and the key-values. */
    static boolean structured() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        return ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("server") instanceof RollingFileAppender<ILoggingEvent> a
                && a.getEncoder() instanceof SafeEncoder safe && safe.inner() instanceof JsonEncoder;
    }

    /** {@code sluice_log_access_dropped_total}: access lines dropped because the queue was full. */
    static void registerMeters(ServerMeters meters) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (ctx.getLogger(AccessLogFilter.LOGGER).getAppender(AsyncAccessAppender.NAME) instanceof AsyncAccessAppender a) {
            meters.registry().getOrCreate(io.helidon.metrics.api.FunctionalCounter
                    .builder("sluice.log.access.dropped", a, AsyncAccessAppender::dropped)
                    .description("access-log lines dropped because the asynchronous queue was full"));
        }
    }

    static RollingFileAppender<ILoggingEvent> file(LoggerContext ctx, LogSettings s, String name,
                                                          Level threshold, boolean only) {
        String file = Path.of(s.dir(), name + ".log").toString();
        RollingFileAppender<ILoggingEvent> appender = only ? new RollingFileAppender<>() : new FlushableFileAppender();
        appender.setContext(ctx);
        appender.setName(name);
        appender.setFile(file);

        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(s.maxHistory());
        rolling.start();

        SizeCapPolicy trigger = new SizeCapPolicy(s.maxFileSize());
        trigger.setContext(ctx);
        trigger.start();

        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder(ctx, s.json()));
        appender.addFilter(only ? exactly(threshold) : atLeast(threshold));
        appender.start();
        return appender;
    }

    /** Wrapped in {@link SafeEncoder}: no line carries control characters, unbounded text or database error text. */
    private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, boolean json) {
        Encoder<ILoggingEvent> inner;
        if (json) {
            inner = new JsonEncoder();
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setPattern(PATTERN);
            inner = pattern;
        }
        inner.setContext(ctx);
        inner.start();
        SafeEncoder safe = new SafeEncoder(inner, json ? null : ACCESS_LINES);
        safe.setContext(ctx);
        safe.start();
        return safe;
    }

    private static Filter<ILoggingEvent> exactly(Level level) {
        LevelFilter f = new LevelFilter();
        f.setLevel(level);
        f.setOnMatch(FilterReply.ACCEPT);
        f.setOnMismatch(FilterReply.DENY);
        f.start();
        return f;
    }

    private static Filter<ILoggingEvent> atLeast(Level level) {
        ThresholdFilter f = new ThresholdFilter();
        f.setLevel(level.toString());
        f.start();
        return f;
    }
}
