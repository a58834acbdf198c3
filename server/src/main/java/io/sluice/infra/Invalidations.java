package io.sluice.infra;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Changes that in-memory copies must hear of (a deleted API key, a revoked token, a changed scene,
 * session or cached entry) told to every instance over Redis pub/sub. Each feature has its own
 * channel ({@link #listen}); all of them share ONE subscription per instance: a virtual thread
 * owned by this object holds it (one connection outside the pool, for as long as it lives)
 * and reconnects with bounded backoff after any failure (a Redis outage, a killed client, a
 * restart); a second one pings through the subscription every {@value #PING_MS} ms.
 *
 * <p>{@link #live()} is what makes caching safe. Redis answers a PING on the subscriber connection
 * in order with the messages it pushes there, so a PONG for a ping sent at time s proves that every
 * message published before s has already been handled here. {@code live()} is true only while
 * the newest answered ping is younger than {@value #STALE_MS} ms (and the listeners finished their
 * resync after the last subscribe): a change published at t is thus applied here, or the caches
 * step aside, by t + {@value #STALE_MS} ms — inside the one-second promise even when the
 * subscription dies silently. While not live, callers go to PostgreSQL / Redis as before caching.
 */
public final class Invalidations implements AutoCloseable {
    /** What listens: a message, and a resync after every (re)subscribe (messages may have been missed). */
    public interface Listener {
        void onMessage(String message);

        void resync();

        /** Called every {@value #REFRESH_MS} ms while subscribed: a belt to the messages' braces. */
        default void refresh() {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Invalidations.class);
    // Bounded by STALE_MS: a pong must come back before the newest answered ping is STALE_MS old, else
    // the caches step aside. 200 ms leaves 500 ms for the round trip and a late wake-up (100 ms pinged
    // 10 times a second, and answered, on an idle server); the 1 s promise rests on STALE_MS, not on this.
    private static final long PING_MS = 200;
    private static final long STALE_MS = 700;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long ECHO_WAIT_MS = 1_000;
    private static final long REFRESH_MS = 60_000;

    private final Redis redis;
    private final Map<String, List<Listener>> listeners = new ConcurrentHashMap<>();   // channel -> its listeners
    private final List<Listener> all = new CopyOnWriteArrayList<>();
    private final String origin = UUID.randomUUID().toString();
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, CountDownLatch> echoes = new ConcurrentHashMap<>();
    private final AtomicLong answeredPingSentAt = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile boolean ready;
    private volatile boolean running = true;
    private volatile Subscriber current;
    private Thread subscriber;
    private Thread pinger;
    private Thread refresher;

    public Invalidations(Redis redis) {
        this.redis = redis;
    }

    /** Adds a listener to a channel; every listener is registered before {@link #start()}. */
    public synchronized void listen(String channel, Listener listener) {
        if (subscriber != null) {
            throw new IllegalStateException("listeners are registered before the subscription starts");
        }
        listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
        all.add(listener);
    }

    /** Subscribes to every channel a listener was registered for (nothing when there is none). */
    public synchronized void start() {
        if (subscriber != null || listeners.isEmpty()) {
            return;
        }
        this.subscriber = Thread.ofVirtual().name("invalidation-subscriber").start(this::subscribeLoop);
        this.pinger = Thread.ofVirtual().name("invalidation-ping").start(this::pingLoop);
        this.refresher = Thread.ofVirtual().name("invalidation-refresh").start(this::refreshLoop);
    }

    /** True while every change published more than {@value #STALE_MS} ms ago is known to have been applied here. */
    public boolean live() {
        return ready && System.nanoTime() - answeredPingSentAt.get() < TimeUnit.MILLISECONDS.toNanos(STALE_MS);
    }

    /**
     * Publishes a change and waits (at most a second) until it comes back on this instance's own
     * subscription: Redis has then written it to every subscriber, so the other instances apply it
     * about as soon as the caller sees its answer. Throws when Redis is unreachable.
     */
    public void publish(String channel, String message) {
        String id = origin + ":" + sequence.incrementAndGet();
        CountDownLatch echo = new CountDownLatch(1);
        echoes.put(id, echo);
        try (Jedis j = redis.connection()) {
            j.publish(channel, id + " " + message);
            if (live()) {
                echo.await(ECHO_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            echoes.remove(id);
        }
    }

    private final class Subscriber extends JedisPubSub {
        private final long sentAt = System.nanoTime();
        private volatile boolean confirmed;

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            answeredPingSentAt.set(sentAt);   // from here on every message is delivered in order
            if (subscribedChannels < listeners.size()) {
                return;                       // one confirmation per channel: resync once all are in
            }
            for (Listener l : all) {
                l.resync();                   // throws when Redis fails: the loop reconnects and tries again
            }
            ready = true;
            confirmed = true;
            LOG.info("caches: invalidations subscribed on {}", listeners.keySet());
        }

        @Override
        public void onMessage(String channel, String message) {
            int space = message.indexOf(' ');
            if (space < 0) {
                return;
            }
            String body = message.substring(space + 1);
            for (Listener l : listeners.getOrDefault(channel, List.of())) {
                l.onMessage(body);
            }
            CountDownLatch echo = echoes.get(message.substring(0, space));
            if (echo != null) {
                echo.countDown();
            }
        }

        @Override
        public void onPong(String sentNanos) {
            try {
                answeredPingSentAt.accumulateAndGet(Long.parseLong(sentNanos), Math::max);
            } catch (NumberFormatException e) {
                // a plain PONG carries no time: ignore
            }
        }
    }

    private void subscribeLoop() {
        long backoff = 100;
        boolean warned = false;
        while (running) {
            Subscriber s = new Subscriber();
            // A connection of its own, not the pool's: held for as long as the subscription lives, it
            // would shrink the pool by one and show as "active" for good.
            try (Jedis j = redis.dedicatedConnection()) {
                current = s;
                j.subscribe(s, listeners.keySet().toArray(String[]::new));   // blocks until unsubscribed or the connection fails
            } catch (RuntimeException e) {
                if (running && !warned) {
                    LOG.warn("caches: invalidation subscription lost ({}); caches step aside until it is back",
                             e.getClass().getSimpleName());
                    warned = true;
                }
            } finally {
                ready = false;
                current = null;
            }
            if (!running) {
                return;
            }
            if (s.confirmed) {   // it had worked: start the backoff afresh
                backoff = 100;
                warned = false;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
    }

    private void pingLoop() {
        while (running) {
            try {
                Thread.sleep(PING_MS);
            } catch (InterruptedException e) {
                return;
            }
            Subscriber s = current;
            if (s != null && s.isSubscribed()) {
                try {
                    synchronized (s) {   // a ping and the closing unsubscribe never interleave on the socket
                        s.ping(String.valueOf(System.nanoTime()));
                    }
                } catch (RuntimeException e) {
                    // the subscriber thread sees the broken connection and reconnects
                }
            }
        }
    }

    /** Its own thread: a slow reload must not hold up the pings (and so the caches). */
    private void refreshLoop() {
        while (running) {
            try {
                Thread.sleep(REFRESH_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (ready) {
                try {
                    all.forEach(Listener::refresh);
                } catch (RuntimeException e) {
                    LOG.debug("caches: periodic reload failed ({})", e.getClass().getSimpleName());
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        ready = false;
        if (subscriber == null) {
            return;
        }
        pinger.interrupt();
        refresher.interrupt();
        Subscriber s = current;
        if (s != null && s.isSubscribed()) {
            try {
                synchronized (s) {
                    s.unsubscribe();
                }
            } catch (RuntimeException e) {
                // connection already gone
            }
        }
        subscriber.interrupt();
        try {
            subscriber.join(2_000);
            pinger.join(1_000);
            refresher.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
