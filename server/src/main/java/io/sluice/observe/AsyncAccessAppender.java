package io.sluice.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/**
 * Hands access lines to the real appenders (the log file, the console) on one background thread,
 * so a request thread never waits for a disk or a slow terminal. The queue is bounded; when it is
 * full the line is dropped and counted ({@code sluice_log_access_dropped_total}) instead of blocking
 * the request: an access line is worth less than the request it describes. Logback's own
 * AsyncAppender drops silently, hence this small one.
 *
 * <p>The hand-off is lock-free: a request thread adds to a concurrent queue and counts, and wakes
 * the writer only when it is parked after 100 ms without lines. While lines flow, the writer polls
 * every {@value #BUSY_POLL_MS} ms instead of being signalled per line: a blocking queue's lock and
 * signal cost every request a contended lock and often an unpark. Idle with nothing left to flush
 * (no line written to the file since the last flush, {@link #written()}), it parks without a timeout
 * instead of waking every 100 ms.
 */
final class AsyncAccessAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final String NAME = "access-async";
    private static final int BATCH = 256;
    private static final long FLUSH_EVERY = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long IDLE = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long BUSY_POLL_MS = 2;

    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int capacity;
    private final List<Appender<ILoggingEvent>> targets;
    private final Runnable afterBatch;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean writing;
    private volatile boolean parked;   // the writer waits for a wake-up (idle for 100 ms)
    private volatile boolean unflushed;   // a line reached the file since the last flush
    private volatile Thread worker;

    /** {@code afterBatch} flushes the file: after a drained batch at most every 20 ms, and when idle for 100 ms. */
    AsyncAccessAppender(int capacity, List<Appender<ILoggingEvent>> targets, Runnable afterBatch) {
        this.capacity = capacity;
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
        if (queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(event);
        if (parked) {
            parked = false;
            LockSupport.unpark(worker);
        }
    }

    private void run() {
        List<ILoggingEvent> batch = new ArrayList<>(BATCH);
        long lastFlush = System.nanoTime();
        long lastLine = lastFlush;
        boolean dirty = false;   // lines written since the last flush
        try {
            while (isStarted() || !queue.isEmpty()) {
                ILoggingEvent first = queue.poll();
                boolean idle = false;
                if (first == null) {
                    boolean busy = System.nanoTime() - lastLine < IDLE;
                    first = await(busy);
                    idle = first == null && !busy;
                }
                if (first != null) {
                    writing = true;
                    batch.add(first);
                    for (ILoggingEvent e; batch.size() < BATCH && (e = queue.poll()) != null; ) {
                        batch.add(e);
                    }
                    queued.addAndGet(-batch.size());
                    write(batch);
                    batch.clear();
                    lastLine = System.nanoTime();
                    dirty = true;
                }
                // At most one flush (a write system call) per FLUSH_EVERY under load, and one when
                // idle: lines other threads wrote to the same file reach it within 100 ms too.
                long now = System.nanoTime();
                if (idle || dirty && now - lastFlush >= FLUSH_EVERY) {
                    unflushed = false;   // before the flush: a line written during it is flushed next time
                    afterBatch.run();
                    lastFlush = now;
                    dirty = false;
                }
                writing = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            afterBatch.run();
        }
    }

    /**
     * The next line, or null after the wait: a short sleep while lines flow, else parked for up to
     * 100 ms until an append wakes it. Interrupted: stopping.
     */
    private ILoggingEvent await(boolean busy) throws InterruptedException {
        if (busy) {
            Thread.sleep(BUSY_POLL_MS);
        } else {
            parked = true;
            ILoggingEvent e = queue.poll();   // appended before the flag was seen: no wake-up would come
            if (e != null) {
                parked = false;
                return e;
            }
            if (unflushed || !isStarted()) {
                LockSupport.parkNanos(this, IDLE);
            } else {
                LockSupport.park(this);   // append, written() or stop() wakes it
            }
            parked = false;
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return queue.poll();
    }

    /**
     * A line was written to the file (any thread, the worker's own lines included): the idle worker
     * wakes to flush it within 100 ms.
     */
    void written() {
        unflushed = true;
        if (parked) {
            parked = false;
            LockSupport.unpark(worker);
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
        LockSupport.unpark(worker);   // parked without a timeout when idle
        try {
            worker.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
