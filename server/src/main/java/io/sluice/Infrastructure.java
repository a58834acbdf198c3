package io.sluice;

import java.nio.file.Path;
import java.util.Deque;

import io.sluice.infra.Database;
import io.sluice.infra.DatabaseSettings;
import io.sluice.infra.Embedded;
import io.sluice.infra.Redis;
import io.sluice.infra.RedisSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PostgreSQL and Redis (embedded ones when no URL is set), each pushed on the close stack as it opens. */
record Infrastructure(Database db, Redis redis) {
    private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

    static Infrastructure start(Settings settings, Deque<AutoCloseable> resources) {
        Database db = Database.open(settings.database(), postgresUrl(settings.database(), resources));
        resources.push(db);
        Redis redis = Redis.open(settings.redis(), redisUrl(settings.redis(), resources));
        resources.push(redis);
        if (!redis.isReachable()) {
            throw new IllegalStateException("redis is not reachable; check redis.url / REDIS_URL");
        }
        return new Infrastructure(db, redis);
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
