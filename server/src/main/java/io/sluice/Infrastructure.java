package io.sluice;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.sluice.infra.Database;
import io.sluice.infra.DatabaseSettings;
import io.sluice.infra.Embedded;
import io.sluice.infra.Redis;
import io.sluice.infra.RedisSettings;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL and Redis (embedded ones when no URL is set), each pushed on the close stack as it opens.
 * The two start side by side: Redis (its process, then its pool) on a virtual thread while this thread
 * starts PostgreSQL and migrates it, since neither needs the other. The close stack gets the same
 * order as a sequential start (PostgreSQL's parts first, so Redis closes first).
 */
record Infrastructure(Database db, Redis redis, Tracing tracing) {
    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);
    /** Longest wait for the Redis start after PostgreSQL is up; the embedded server has its own start wait. */
    private static final long REDIS_START_WAIT_SECONDS = 60;

    static Infrastructure start(Settings settings, Tracing tracing, Deque<AutoCloseable> resources, StartupPhases phases) {
        Deque<AutoCloseable> redisParts = new ArrayDeque<>();
        FutureTask<Redis> redisStart = new FutureTask<>(() -> phases.time("redis", () -> {
            Redis r = Redis.open(settings.redis(), redisUrl(settings.redis(), redisParts), tracing);
            redisParts.push(r);
            return r;
        }));
        Thread.ofVirtual().name("redis-start").start(redisStart);
        Database db = null;
        RuntimeException failure = null;
        try {
            String url = phases.time("postgres", () -> postgresUrl(settings.database(), resources));
            db = phases.time("database", () -> Database.open(settings.database(), url, tracing));   // pool, migrations
            resources.push(db);
        } catch (RuntimeException e) {
            failure = e;
        }
        // Whatever PostgreSQL did, Redis' parts join the close stack, so a failed start stops them too.
        Redis redis = await(redisStart);
        for (Iterator<AutoCloseable> it = redisParts.descendingIterator(); it.hasNext(); ) {
            resources.push(it.next());
        }
        if (failure != null) {
            throw failure;
        }
        if (redis == null || !redis.isReachable()) {
            throw new IllegalStateException("redis is not reachable; check redis.url / REDIS_URL");
        }
        return new Infrastructure(db, redis, tracing);
    }

    /** The started Redis, or null (logged) when its start failed or took longer than the bound. */
    private static Redis await(FutureTask<Redis> start) {
        try {
            return start.get(REDIS_START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            LOG.error("redis start failed: {}", e.getCause().toString());
            return null;
        } catch (TimeoutException e) {
            start.cancel(true);
            LOG.error("redis did not start within {} s", REDIS_START_WAIT_SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            start.cancel(true);
            return null;
        }
    }

    private static String postgresUrl(DatabaseSettings s, Deque<AutoCloseable> resources) {
        if (!s.embedded()) {
            LOG.info("using external PostgreSQL (database.url is set)");
            return s.url();
        }
        Embedded.Handle pg = Embedded.postgres(s.embeddedPort(), Path.of(s.embeddedDataDir()));
        resources.push(pg);
        return pg.url().replace("jdbc:postgresql://", "postgres://postgres:postgres@");
    }

    private static String redisUrl(RedisSettings s, Deque<AutoCloseable> resources) {
        if (!s.embedded()) {
            LOG.info("using external Redis (redis.url is set)");
            return s.url();
        }
        Embedded.Handle redis = Embedded.redis(s.embeddedPort(), Path.of(s.embeddedDataDir()));
        resources.push(redis);
        return redis.url();
    }
}
