package io.sluice.infra;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Development PostgreSQL and Redis, started by Sluice itself when no external URL is configured.
 * Data lives under the configured data directories, so it survives restarts.
 */
public final class Embedded {
    private static final Logger LOG = LoggerFactory.getLogger(Embedded.class);

    private Embedded() {
    }

    /** A running embedded server: where to reach it and how to stop it. */
    public interface Handle extends AutoCloseable {
        String url();

        int port();

        @Override
        void close();
    }

    /**
     * Starts PostgreSQL on {@code dataDir}, first stopping one an earlier, killed run left there, and
     * restarts it whenever it dies while Sluice runs (see {@link Supervised}).
     */
    public static Handle postgres(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir.getParent() == null ? Path.of(".") : dataDir.getParent());
            Orphans.stop("PostgreSQL", dataDir.resolve("postmaster.pid"), "postgres", dataDir.resolve("epg-lock"));
            int p = port == 0 ? freePort() : port;
            String url = "jdbc:postgresql://127.0.0.1:" + p + "/postgres";
            Handle handle = Supervised.start("PostgreSQL", url, p, dataDir.resolve("postmaster.pid"), "postgres", () -> {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .setPort(p)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "200")
                        .setPGStartupWait(Duration.ofSeconds(30))
                        .start();
                return pg::close;
            });
            LOG.info("embedded PostgreSQL started at {} (data in {})", url, dataDir.toAbsolutePath());
            return handle;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Starts Redis (append-only file in {@code dataDir}) the same way: an orphan stopped first, restarted when it dies. */
    public static Handle redis(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Path pidFile = dataDir.resolve("redis.pid").toAbsolutePath();
            Orphans.stop("Redis", pidFile, "redis", null);
            int p = port == 0 ? freePort() : port;
            String url = "redis://127.0.0.1:" + p;
            Handle handle = Supervised.start("Redis", url, p, pidFile, "redis", () -> {
                RedisServer redis = RedisServer.newRedisServer()
                        .port(p)
                        .bind("127.0.0.1")
                        .setting("dir " + dataDir.toAbsolutePath())
                        .setting("pidfile " + pidFile)
                        .setting("appendonly yes")
                        .setting("appendfsync everysec")
                        .setting("save \"\"")
                        // The library's shutdown hook stops Redis with SIGTERM (it writes its append-only file), not SIGKILL.
                        .onShutdownForceStop(false)
                        .build();
                redis.start();
                return redis::stop;
            });
            LOG.info("embedded Redis started at {} (append-only file in {})", url, dataDir.toAbsolutePath());
            return handle;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start embedded Redis in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
