package io.sluice.auth;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.sluice.infra.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Credential changes (a deleted API key, a revoked token, a changed user) told to every instance
 * over one Redis pub/sub channel. A virtual thread owned by this object holds the subscription
 * (one connection borrowed from the pool for as long as it lives) and reconnects with bounded
 * backoff; a second one pings through the subscription every {@value #PING_MS} ms.
 *
 * <p>{@link #live()} is what makes caching safe. Redis answers a PING on the subscriber connection
 * in order with the messages it pushes there, so a PONG for a ping sent at time s proves that every
 * message published before s has already been handled here. {@code live()} is true only while
 * the newest answered ping is younger than {@value #STALE_MS} ms (and the listeners finished their
 * resync after the last subscribe): a change published at t is thus applied here, or the caches
 * step aside, by t + {@value #STALE_MS} ms — inside the one-second promise even when the
 * subscription dies silently. While not live, callers go to PostgreSQL / Redis as before caching.
 */
final class InvalidationBus implements AutoCloseable {
    /** What listens: a message, and a resync after every (re)subscribe (messages may have been missed). */
    interface Listener {
        void onMessage(String message);

        void resync();

        /** Called every {@value #REFRESH_MS} ms while subscribed: a belt to the messages' braces. */
        default void refresh() {
        }
    }

    static final String CHANNEL = "sluice:auth:invalidate";
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationBus.class);
    private static final long PING_MS = 100;
    private static final long STALE_MS = 700;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long ECHO_WAIT_MS = 1_000;
    private static final long REFRESH_MS = 60_000;

    private final Redis redis;
    private final List<Listener> listeners;
    private final String origin = UUID.randomUUID().toString();
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, CountDownLatch> echoes = new ConcurrentHashMap<>();
    private final AtomicLong answeredPingSentAt = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile boolean ready;
    private volatile boolean running = true;
    private volatile Subscriber current;
    private final Thread subscriber;
    private final Thread pinger;
    private final Thread refresher;

    InvalidationBus(Redis redis, List<Listener> listeners) {
        this.redis = redis;
        this.listeners = List.copyOf(listeners);
        this.subscriber = Thread.ofVirtual().name("auth-invalidation-subscriber").start(this::subscribeLoop);
        this.pinger = Thread.ofVirtual().name("auth-invalidation-ping").start(this::pingLoop);
        this.refresher = Thread.ofVirtual().name("auth-invalidation-refresh").start(this::refreshLoop);
    }

    /** True while every change published more than {@value #STALE_MS} ms ago is known to have been applied here. */
    boolean live() {
        return ready && System.nanoTime() - answeredPingSentAt.get() < TimeUnit.MILLISECONDS.toNanos(STALE_MS);
    }

    /**
     * Publishes a change and waits (at most a second) until it comes back on this instance's own
     * subscription: Redis has then written it to every subscriber, so the other instances apply it
     * about as soon as the caller sees its answer. Throws when Redis is unreachable.
     */
    void publish(String message) {
        String id = origin + ":" + sequence.incrementAndGet();
        CountDownLatch echo = new CountDownLatch(1);
        echoes.put(id, echo);
        try (Jedis j = redis.connection()) {
            j.publish(CHANNEL, id + " " + message);
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
            for (Listener l : listeners) {
                l.resync();                   // throws when Redis fails: the loop reconnects and tries again
            }
            ready = true;
            confirmed = true;
            LOG.info("auth caches: invalidations subscribed on {}", CHANNEL);
        }

        @Override
        public void onMessage(String channel, String message) {
            int space = message.indexOf(' ');
            if (space < 0) {
                return;
            }
            String body = message.substring(space + 1);
            for (Listener l : listeners) {
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
            try (Jedis j = redis.connection()) {
                current = s;
                try {
                    j.subscribe(s, CHANNEL);   // blocks until unsubscribed or the connection fails
                } finally {
                    j.getConnection().setBroken();   // never hand a (possibly still subscribed) connection back to the pool
                }
            } catch (RuntimeException e) {
                if (running && !warned) {
                    LOG.warn("auth caches: invalidation subscription lost ({}); caches bypassed until it is back",
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
                    listeners.forEach(Listener::refresh);
                } catch (RuntimeException e) {
                    LOG.debug("auth caches: periodic reload failed ({})", e.getClass().getSimpleName());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        ready = false;
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
