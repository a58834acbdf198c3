package io.sluice.observe;

import java.io.IOException;
import java.io.OutputStream;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;

/**
 * server.log's appender. It does not flush per line (a write system call per access line was a
 * measurable share of a request): the access-log worker calls {@link #flush()} after each batch and,
 * while idle, within 100 ms of any other line written here ({@link #onWrite} tells it), so other lines
 * reach the file within that time too.
 */
final class FlushableFileAppender extends RollingFileAppender<ILoggingEvent> {
    private volatile Runnable onWrite;

    /** Called after every line written (buffered) here: the access-log worker then has something to flush. */
    void onWrite(Runnable r) {
        this.onWrite = r;
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        super.subAppend(event);
        Runnable r = onWrite;
        if (r != null) {
            r.run();
        }
    }

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
