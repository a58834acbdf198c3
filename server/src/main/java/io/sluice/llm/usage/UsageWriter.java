package io.sluice.llm.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.sluice.infra.Database;
import io.sluice.infra.IdleWait;
import io.sluice.llm.ChatResult;
import io.sluice.llm.UsageSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token usage per LLM call, one llm_usage row each, written off the request path. {@link #record}
 * only offers the row to a bounded queue and returns: a request never waits for PostgreSQL. One
 * virtual thread, owned by this writer, takes rows in batches (up to batch-size, or whatever came
 * within flush-interval of the first) and inserts each batch with one statement.
 * <p>
 * PostgreSQL down: the batch in hand is retried with a backoff doubling up to max-retry-backoff;
 * meanwhile new rows fill the queue and, once it is full, are dropped, counted
 * ({@code sluice_usage_dropped_total}) and reported in an ERROR line at most every 10 s. Memory is
 * bounded by the queue plus one batch. {@link #close} stops taking rows and drains the queue
 * within drain-timeout; it must run after the server stops taking requests and before the pool closes.
 */
public final class UsageWriter implements UsageSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UsageWriter.class);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(10);   // a belt: close wakes it

    private final UsageTable table;
    private final UsageSettings settings;
    private final BlockingQueue<UsageRow> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);
    private final Thread thread;
    private volatile boolean closing;
    private final IdleWait idle = new IdleWait();
    private volatile long drainDeadline;

    private final Prices prices;

    private UsageWriter(Database db, UsageSettings settings, Prices prices) {
        this.prices = prices;
        this.table = new UsageTable(db);
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.thread = Thread.ofVirtual().name("usage-writer").unstarted(this::run);
    }

    public static UsageWriter start(Database db, UsageSettings settings) {
        return start(db, settings, Prices.none());
    }

    /** With a price table: each row carries its cost (usage.prices). */
    public static UsageWriter start(Database db, UsageSettings settings, Prices prices) {
        UsageWriter writer = new UsageWriter(db, settings, prices);
        writer.thread.start();
        return writer;
    }

    /** Never blocks and never throws: a full queue (or a stopping writer) drops the row and counts it. */
    @Override
    public void record(String requestId, String user, String sessionId, String model, ChatResult result) {
        record(requestId, user, sessionId, model, result, null, null);
    }

    @Override
    public void record(String requestId, String user, String sessionId, String model, ChatResult result,
                       String owner, String keyId) {
        if (closing || !queue.offer(UsageRow.of(requestId, user, sessionId, model, result, owner, keyId, prices))) {
            drop(1, "queue full (" + settings.queueCapacity() + " rows): PostgreSQL has been unavailable or slow");
        }
    }

    /** Rows dropped since start: queue full, or not written before the drain deadline. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** Rows waiting for the writer, never more than usage.queue-capacity. */
    public int queued() {
        return queue.size();
    }

    public void registerMeters(MeterRegistry registry) {
        registry.getOrCreate(FunctionalCounter.builder("sluice.usage.dropped", dropped, AtomicLong::get)
                                     .description("usage rows dropped: queue full while PostgreSQL was down, or not written at stop"));
        registry.getOrCreate(FunctionalCounter.builder("sluice.usage.written", written, AtomicLong::get)
                                     .description("usage rows written to PostgreSQL"));
        registry.getOrCreate(Gauge.builder("sluice.usage.queued", () -> (double) queue.size())
                                     .description("usage rows waiting to be written"));
    }

    private void run() {
        List<UsageRow> batch = new ArrayList<>(settings.batchSize());
        try {
            while (!closing || !queue.isEmpty()) {
                if (fill(batch)) {
                    if (!writeWithRetry(batch)) {
                        break;
                    }
                    batch.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = batch.size() + queue.size();
        if (left > 0) {
            drop(left, "not written before usage.drain-timeout at stop");
        }
    }

    /** Waits (bounded) for a first row, then gathers more until the batch is full or flush-interval has passed. */
    private boolean fill(List<UsageRow> batch) throws InterruptedException {
        // Woken by the first row, or by close: no periodic wake-up while idle (it was every flush-interval).
        UsageRow first = idle.poll(queue, IDLE_WAIT);
        if (first == null) {
            return false;
        }
        batch.add(first);
        long flushAt = System.nanoTime() + settings.flushInterval().toNanos();
        while (batch.size() < settings.batchSize()) {
            queue.drainTo(batch, settings.batchSize() - batch.size());
            long wait = flushAt - System.nanoTime();
            if (batch.size() >= settings.batchSize() || wait <= 0 || closing) {
                break;
            }
            UsageRow next = queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
        return true;
    }

    /** Retries the batch until it is written (true), or until the drain deadline once the writer is closing (false). */
    private boolean writeWithRetry(List<UsageRow> batch) throws InterruptedException {
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                table.insert(batch);
                written.addAndGet(batch.size());
                if (attempt > 1) {
                    LOG.info("usage rows are written again after {} attempt(s)", attempt);
                }
                return true;
            } catch (RuntimeException e) {
                if (attempt == 1) {
                    LOG.warn("usage batch of {} row(s) not written, retrying with backoff: {}", batch.size(), e.toString());
                }
            }
            long sleep = backoff;
            if (closing) {
                long left = TimeUnit.NANOSECONDS.toMillis(drainDeadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                sleep = Math.min(sleep, left);
            }
            Thread.sleep(sleep);
            backoff = Math.min(backoff * 2, settings.maxRetryBackoff().toMillis());
        }
    }

    private void drop(int rows, String why) {
        long total = dropped.addAndGet(rows);
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLog.compareAndSet(last, now)) {
            LOG.error("usage rows dropped: {} so far ({}); raise usage.queue-capacity or check PostgreSQL", total, why);
        }
    }

    /** Stops taking rows and writes what is queued, waiting at most usage.drain-timeout. */
    @Override
    public void close() {
        drainDeadline = System.nanoTime() + settings.drainTimeout().toNanos();
        closing = true;
        idle.wake();
        try {
            if (!thread.join(settings.drainTimeout().plusSeconds(1))) {
                // Stuck in a database call past the deadline (socket-timeout bounds it): give up on it.
                thread.interrupt();
                LOG.warn("usage writer did not finish within usage.drain-timeout; {} row(s) still queued", queue.size());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
