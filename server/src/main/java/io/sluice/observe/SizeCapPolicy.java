package io.sluice.observe;

import java.io.File;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.LengthCounter;
import ch.qos.logback.core.rolling.LengthCounterBase;
import ch.qos.logback.core.rolling.TriggeringPolicyBase;

/**
 * Rolls the file over when the bytes written to it reach the cap. Logback's SizeBasedTriggeringPolicy
 * looks at the file's length at most once a minute (its invocation gate), so a busy server wrote
 * 42 MB into a "10 MB" file; this one counts what the appender writes (logback 1.5+ feeds the
 * counter on every write, starting from the file's length), at the cost of an add per line.
 */
final class SizeCapPolicy extends TriggeringPolicyBase<ILoggingEvent> {
    private final long maxBytes;
    private final LengthCounterBase written = new LengthCounterBase();

    SizeCapPolicy(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public LengthCounter getLengthCounter() {
        return written;
    }

    /** Called under the appender's lock before each line is written: a file ends at most one line past the cap. */
    @Override
    public boolean isTriggeringEvent(File activeFile, ILoggingEvent event) {
        if (written.getLength() < maxBytes) {
            return false;
        }
        written.reset();
        return true;
    }
}
