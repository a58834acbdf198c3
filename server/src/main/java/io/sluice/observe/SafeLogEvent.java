package io.sluice.observe;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A log event as it may be written: the message without control characters (a client-sent CR/LF
 * cannot forge a line) and bounded, and no database error text. PostgreSQL's messages quote the
 * values they refused ({@code invalid input syntax for type json: "<the prompt>"}), so an SQL
 * exception anywhere in the chain is written as its class and SQLState only, and so is any message
 * that repeats it (a wrapper copies its cause's message).
 */
record SafeLogEvent(ILoggingEvent event, String message, IThrowableProxy throwable) implements ILoggingEvent {
    static final int MAX_MESSAGE = 8192;
    private static final String PG_MARKER = "PSQLException: ";
    private static final String WITHHELD = "[database error text withheld]";

    /** The event itself when it is already safe (the common case: no copy, no allocation). */
    static ILoggingEvent of(ILoggingEvent e) {
        String msg = e.getFormattedMessage();
        IThrowableProxy tp = e.getThrowableProxy();
        if (tp == null && isClean(msg)) {
            return e;
        }
        List<String> sqlMessages = new ArrayList<>();
        for (IThrowableProxy p = tp; p != null && sqlMessages.size() < 16; p = p.getCause()) {
            if (p instanceof ThrowableProxy real && real.getThrowable() instanceof SQLException sql && sql.getMessage() != null) {
                sqlMessages.add(sql.getMessage());
            }
        }
        return new SafeLogEvent(e, clean(redact(msg, sqlMessages)), tp == null ? null : new Redacted(tp, sqlMessages));
    }

    static boolean isClean(String s) {
        if (s == null) {
            return true;
        }
        if (s.length() > MAX_MESSAGE || s.contains(PG_MARKER)) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** Newlines shown as \n (a multi-line message stays one line), other controls as '?', at most {@link #MAX_MESSAGE} chars. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        int n = Math.min(s.length(), MAX_MESSAGE);
        StringBuilder sb = new StringBuilder(n + 32);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append(' ');
                default -> sb.append(c < 0x20 || c == 0x7F ? '?' : c);
            }
        }
        if (s.length() > n) {
            sb.append("...[").append(s.length() - n).append(" chars clipped]");
        }
        return sb.toString();
    }

    static String redact(String s, List<String> sqlMessages) {
        if (s == null) {
            return null;
        }
        for (String m : sqlMessages) {
            if (!m.isEmpty()) {
                s = s.replace(m, WITHHELD);
            }
        }
        int at = s.indexOf(PG_MARKER);   // an exception's toString() pasted into a message
        return at < 0 ? s : s.substring(0, at + PG_MARKER.length()) + WITHHELD;
    }

    /** A throwable proxy whose messages hold no database error text. */
    record Redacted(IThrowableProxy p, List<String> sqlMessages) implements IThrowableProxy {
        @Override
        public String getMessage() {
            if (p instanceof ThrowableProxy real && real.getThrowable() instanceof SQLException sql) {
                return "SQLState " + sql.getSQLState() + " " + WITHHELD;
            }
            return redact(p.getMessage(), sqlMessages);
        }

        @Override
        public String getOverridingMessage() {
            return null;
        }

        @Override
        public String getClassName() {
            return p.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return p.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return p.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return p.getCause() == null ? null : new Redacted(p.getCause(), sqlMessages);
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = p.getSuppressed();
            IThrowableProxy[] out = new IThrowableProxy[s == null ? 0 : s.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = new Redacted(s[i], sqlMessages);
            }
            return out;
        }

        @Override
        public boolean isCyclic() {
            return p.isCyclic();
        }
    }

    @Override public String getFormattedMessage() { return message; }
    @Override public String getMessage() { return message; }
    @Override public Object[] getArgumentArray() { return null; }   // the cleaned message replaces pattern and arguments
    @Override public IThrowableProxy getThrowableProxy() { return throwable; }
    @Override public String getThreadName() { return event.getThreadName(); }
    @Override public Level getLevel() { return event.getLevel(); }
    @Override public String getLoggerName() { return event.getLoggerName(); }
    @Override public LoggerContextVO getLoggerContextVO() { return event.getLoggerContextVO(); }
    @Override public StackTraceElement[] getCallerData() { return event.getCallerData(); }
    @Override public boolean hasCallerData() { return event.hasCallerData(); }
    @Override public List<Marker> getMarkerList() { return event.getMarkerList(); }
    @Override public Map<String, String> getMDCPropertyMap() { return event.getMDCPropertyMap(); }
    @SuppressWarnings("deprecation") @Override public Map<String, String> getMdc() { return event.getMdc(); }
    @Override public long getTimeStamp() { return event.getTimeStamp(); }
    @Override public int getNanoseconds() { return event.getNanoseconds(); }
    @Override public long getSequenceNumber() { return event.getSequenceNumber(); }
    @Override public List<KeyValuePair> getKeyValuePairs() { return event.getKeyValuePairs(); }
    @Override public void prepareForDeferredProcessing() { event.prepareForDeferredProcessing(); }
}
