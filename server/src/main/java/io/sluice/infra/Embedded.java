package io.sluice.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    public static Handle postgres(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir.getParent() == null ? Path.of(".") : dataDir.getParent());
            int p = port == 0 ? freePort() : port;
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(p)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .start();
            String url = "jdbc:postgresql://127.0.0.1:" + p + "/postgres";
            LOG.info("embedded PostgreSQL started at {} (data in {})", url, dataDir.toAbsolutePath());
            return new Running("PostgreSQL", url, p, pg::close);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDir, e);
        }
    }

    public static Handle redis(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            int p = port == 0 ? freePort() : port;
            RedisServer redis = RedisServer.newRedisServer()
                    .port(p)
                    .bind("127.0.0.1")
                    .setting("dir " + dataDir.toAbsolutePath())
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("save \"\"")
                    .build();
            redis.start();
            String url = "redis://127.0.0.1:" + p;
            LOG.info("embedded Redis started at {} (append-only file in {})", url, dataDir.toAbsolutePath());
            return new Running("Redis", url, p, redis::stop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis in " + dataDir, e);
        }
    }

    private interface Stop {
        void run() throws IOException;
    }

    private record Running(String name, String url, int port, Stop stop) implements Handle {
        @Override
        public void close() {
            try {
                stop.run();
                LOG.info("embedded {} stopped", name);
            } catch (IOException e) {
                LOG.warn("embedded {} did not stop cleanly: {}", name, e.toString());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
