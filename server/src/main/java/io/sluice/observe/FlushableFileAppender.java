package io.sluice.observe;

import java.io.IOException;
import java.io.OutputStream;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;

/**
 * server.log's appender. It does not flush per line (a write system call per access line was a
 * measurable share of a request): the access-log worker calls {@link #flush()} after each batch and
 * at least every 100 ms while idle, so other lines reach the file within that time too.
 */
final class FlushableFileAppender extends RollingFileAppender<ILoggingEvent> {

    /** Writes what is buffered to the file, under the appender's own lock. */
    void flush() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null && isStarted()) {
                out.flush();
            }
        } catch (IOException e) {
            addWarn("could not flush " + getFile(), e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    @Override
    public void stop() {
        flush();
        super.stop();
    }
}
