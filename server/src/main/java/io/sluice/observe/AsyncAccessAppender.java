package io.sluice.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/**
 * Hands access lines to the real appenders (the log file, the console) on one background thread,
 * so a request thread never waits for a disk or a slow terminal. The queue is bounded; when it is
 * full the line is dropped and counted ({@code sluice_log_access_dropped_total}) instead of blocking
 * the request: an access line is worth less than the request it describes. Logback's own
 * AsyncAppender drops silently, hence this small one.
 */
final class AsyncAccessAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final String NAME = "access-async";
    private static final int BATCH = 256;
    private static final long FLUSH_EVERY = TimeUnit.MILLISECONDS.toNanos(20);

    private final BlockingQueue<ILoggingEvent> queue;
    private final List<Appender<ILoggingEvent>> targets;
    private final Runnable afterBatch;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean writing;
    private Thread worker;

    /** {@code afterBatch} flushes the file: after a drained batch at most every 20 ms, and when idle for 100 ms. */
    AsyncAccessAppender(int capacity, List<Appender<ILoggingEvent>> targets, Runnable afterBatch) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.targets = List.copyOf(targets);
        this.afterBatch = afterBatch;
        setName(NAME);
    }

    long dropped() {
        return dropped.get();
    }

    @Override
    public void start() {
        super.start();   // first: the worker runs while the appender is started
        // A platform thread: file writes block their carrier, and the carriers belong to the requests.
        worker = Thread.ofPlatform().daemon().name("access-log").start(this::run);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();   // message, MDC and key-values fixed now, on the request's thread
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        long lastFlush = System.nanoTime();
        try {
            while (isStarted() || !queue.isEmpty()) {
                ILoggingEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    writing = true;
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    write(batch);
                    batch.clear();
                }
                // At most one flush (a write system call) per FLUSH_EVERY under load, and one when
                // idle: lines other threads wrote to the same file reach it within 100 ms too.
                long now = System.nanoTime();
                if (first == null || now - lastFlush >= FLUSH_EVERY) {
                    afterBatch.run();
                    lastFlush = now;
                }
                writing = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            afterBatch.run();
        }
    }

    private void write(List<ILoggingEvent> batch) {
        for (ILoggingEvent e : batch) {
            for (Appender<ILoggingEvent> target : targets) {
                target.doAppend(e);
            }
        }
    }

    /** Waits (bounded) until every line queued so far is written: the last lines before the process exits. */
    void flush(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while ((!queue.isEmpty() || writing) && System.nanoTime() < end && worker.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes what is queued (bounded by one second), then stops. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            worker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
