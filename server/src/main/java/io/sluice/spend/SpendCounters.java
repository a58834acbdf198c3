package io.sluice.spend;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.DoubleConsumer;

import io.sluice.infra.IdleWait;
import io.sluice.infra.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Spend per budgeted subject and period, shared by every instance in Redis ({@code INCRBYFLOAT} on
 * {@code <prefix><subject>:<period id>}, expiring a day after the period ends), seen through a local
 * view: a check reads memory, and asks Redis (one GET) only when its view is older than
 * {@code spend.view-ttl}. Increments leave the request path: {@link #add} updates the view at once
 * and queues the INCRBYFLOAT for one writer thread that pipelines them. Redis is a cache of the
 * spend, not its record: {@link #atLeast} raises a counter to what PostgreSQL's usage rows add up
 * to, so a Redis that lost its data (a restart) is whole again at the next reconciliation.
 */
final class SpendCounters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpendCounters.class);
    private static final int QUEUE = 10_000;
    private static final java.time.Duration IDLE_WAIT = java.time.Duration.ofSeconds(10);   // a belt: close wakes it
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String REBUILT = "#pg";   // suffix of the marker: this counter holds at least PostgreSQL's sum
    // Raises a counter to a floor without lowering it (increments made since the floor was summed stay),
    // marks it rebuilt, and returns its value before and after.
    private static final String AT_LEAST = """
            local v = tonumber(redis.call('GET', KEYS[1]) or '0')
            local f = tonumber(ARGV[1])
            if v < f then redis.call('SET', KEYS[1], ARGV[1]) end
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
            return {tostring(v), tostring(math.max(v, f))}""";

    private final Redis redis;
    private final String prefix;
    private final long viewTtlNanos;
    private final ConcurrentHashMap<String, View> views = new ConcurrentHashMap<>();
    private final BlockingQueue<Increment> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean lost = new AtomicBoolean();   // a budget increment not written since the last rebuild
    private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private final Thread writer;
    private volatile boolean closing;
    private final IdleWait idle = new IdleWait();

    /** What this instance knows of one counter: Redis's total when last seen, plus its own increments not yet written. */
    private static final class View {
        volatile double redisTotal;
        volatile long fetchedAt;
        final DoubleAdder unwritten = new DoubleAdder();

        double value() {
            return redisTotal + unwritten.sum();
        }
    }

    private record Increment(String key, double amount, long ttlSeconds, View view, Watch watch) {
    }

    /**
     * A threshold on a counter: {@code crossed} runs once, on the instance whose write took Redis's total
     * from below {@code at} to {@code at} or above. The counter only grows, so across the cluster that
     * happens once per period (again only if Redis loses the counter and it crosses anew).
     */
    record Watch(double at, DoubleConsumer crossed) {
        void check(double before, double after) {
            if (before < at && after >= at) {
                crossed.accept(after);
            }
        }
    }

    SpendCounters(Redis redis, String prefix, java.time.Duration viewTtl) {
        this.redis = redis;
        this.prefix = prefix;
        this.viewTtlNanos = viewTtl.toNanos();
        this.writer = Thread.ofVirtual().name("spend-counters").start(this::run);
    }

    /** The counter's Redis key for the current period. */
    String key(String subject, Budget.Period period, Instant now) {
        return prefix + subject + ":" + period.id(now);
    }

    /** The spend as this instance sees it: at most spend.view-ttl behind the other instances' increments. */
    double current(String key) {
        View v = views.computeIfAbsent(key, k -> new View());
        long now = System.nanoTime();
        if (now - v.fetchedAt > viewTtlNanos) {
            v.fetchedAt = now;   // one GET per view-ttl, even when it fails (a dead Redis is not asked per request)
            try (Jedis j = redis.connection()) {
                String total = j.get(key);
                v.redisTotal = total == null ? 0 : Double.parseDouble(total);
            } catch (RuntimeException e) {
                warn("spend counters: Redis unreachable ({}); budgets are checked against the last known spend", e);
            }
        }
        return v.value();
    }

    /** Adds to the counter: seen here at once, written to Redis off the request path (then {@code watch} is checked). Never blocks. */
    void add(String key, double amount, long ttlSeconds, Watch watch) {
        if (amount <= 0) {
            return;
        }
        View v = views.computeIfAbsent(key, k -> new View());
        v.unwritten.add(amount);
        if (closing || !queue.offer(new Increment(key, amount, ttlSeconds, v, watch))) {
            v.unwritten.add(-amount);
            dropped.incrementAndGet();
            lost.set(true);
            warn("spend counters: increment queue full; spend is recovered from PostgreSQL at the next reconciliation ({})", null);
        }
    }

    /** Adds a delta (negative too) with no local view: a tokens-per-minute correction. Never blocks. */
    void adjust(String key, double delta, long ttlSeconds) {
        if (delta != 0 && (closing || !queue.offer(new Increment(key, delta, ttlSeconds, null, null)))) {
            dropped.incrementAndGet();
        }
    }

    /**
     * The counters not rebuilt from PostgreSQL since Redis last had them: new ones (a new budget or
     * period), ones a restarted Redis lost, and, after an increment failed to reach Redis, all of them.
     * Only these need {@link #atLeast}: summing usage rows that are already counted is what could count
     * a call twice (its row committed before its increment was written).
     */
    List<String> needingRebuild(List<String> keys) {
        if (lost.getAndSet(false)) {
            return keys;
        }
        List<String> missing = new ArrayList<>();
        try (Jedis j = redis.connection()) {
            Pipeline p = j.pipelined();
            List<Response<Boolean>> marked = new ArrayList<>(keys.size());
            for (String k : keys) {
                marked.add(p.exists(k + REBUILT));
            }
            p.sync();
            for (int i = 0; i < keys.size(); i++) {
                if (!marked.get(i).get()) {
                    missing.add(keys.get(i));
                }
            }
        } catch (RuntimeException e) {
            lost.set(true);   // asked again next time
            throw e;
        }
        return missing;
    }

    /** Raises the counter to at least {@code floor} (the usage rows' sum) and marks it rebuilt; the next check reads Redis again. */
    void atLeast(String key, double floor, long ttlSeconds, Watch watch) {
        List<?> beforeAfter;
        try (Jedis j = redis.connection()) {
            beforeAfter = (List<?>) j.eval(AT_LEAST, List.of(key, key + REBUILT), List.of(Double.toString(floor), Long.toString(ttlSeconds)));
        }
        View v = views.get(key);
        if (v != null) {
            v.fetchedAt = 0;
        }
        if (watch != null) {
            watch.check(Double.parseDouble((String) beforeAfter.get(0)), Double.parseDouble((String) beforeAfter.get(1)));
        }
    }

    /** Forgets views of periods that are over (their keys are no longer asked for). */
    void forgetOtherThan(java.util.Set<String> currentKeys) {
        views.keySet().removeIf(k -> !currentKeys.contains(k));
    }

    long dropped() {
        return dropped.get();
    }

    private void run() {
        List<Increment> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                // Woken by the first increment, or by close: no periodic wake-up while idle.
                Increment first = idle.poll(queue, IDLE_WAIT);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 499);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Increment> batch) {
        try (Jedis j = redis.connection()) {
            Pipeline p = j.pipelined();
            List<Response<Double>> totals = new ArrayList<>(batch.size());
            for (Increment i : batch) {
                totals.add(p.incrByFloat(i.key(), i.amount()));
                p.expire(i.key(), i.ttlSeconds());
            }
            p.sync();
            for (int n = 0; n < batch.size(); n++) {
                Increment i = batch.get(n);
                if (i.view() == null) {
                    continue;
                }
                double total = totals.get(n).get();
                i.view().unwritten.add(-i.amount());
                i.view().redisTotal = Math.max(i.view().redisTotal, total);
                if (i.watch() != null) {
                    i.watch().check(total - i.amount(), total);
                }
            }
        } catch (RuntimeException e) {
            // Lost here, not in PostgreSQL: the usage rows bring the counter back at the next reconciliation.
            for (Increment i : batch) {
                if (i.view() != null) {
                    i.view().unwritten.add(-i.amount());
                }
            }
            dropped.addAndGet(batch.size());
            lost.set(true);
            warn("spend counters: {} increment(s) not written to Redis; recovered from PostgreSQL at the next reconciliation ("
                 + batch.size() + ")", e);
        }
    }

    private void warn(String message, RuntimeException e) {
        long now = System.nanoTime();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarn.compareAndSet(last, now)) {
            LOG.warn(message, e == null ? "" : e.toString());
        }
    }

    @Override
    public void close() {
        closing = true;
        idle.wake();
        try {
            if (!writer.join(java.time.Duration.ofSeconds(2))) {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
