package io.sluice.infra;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private static final Duration REDIS_START_WAIT = Duration.ofSeconds(30);
    private static final Duration REDIS_STOP_WAIT = Duration.ofSeconds(10);

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
                // The library only supplies the binary and its command line: its own start() registers a JVM
                // shutdown hook that stops Redis at once on SIGTERM, while the task workers and the other Redis
                // users are still running (hooks run concurrently). Started here, Redis stops last, from the close stack.
                List<String> command = RedisServer.newRedisServer()
                        .port(p)
                        .bind("127.0.0.1")
                        .setting("dir " + dataDir.toAbsolutePath())
                        .setting("pidfile " + pidFile)
                        .setting("appendonly yes")
                        .setting("appendfsync everysec")
                        .setting("save \"\"")
                        .buildCommandArgs();
                Path log = dataDir.resolve("redis.log").toAbsolutePath();
                Process redis = new ProcessBuilder(ownSession(command))
                        .directory(dataDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                awaitPong(redis, p, log);
                return () -> stop(redis);
            });
            LOG.info("embedded Redis started at {} (append-only file in {})", url, dataDir.toAbsolutePath());
            return handle;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot start embedded Redis in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The command run in a session of its own where {@code setsid} exists (Linux): a Ctrl-C in the
     * terminal of {@code make run} then reaches only the JVM, whose shutdown stops Redis last, and not
     * Redis at once. Not a group leader, the child execs redis-server under its own pid, so stopping it still works.
     */
    private static List<String> ownSession(List<String> command) {
        Path setsid = Path.of("/usr/bin/setsid");
        if (!Files.isExecutable(setsid)) {
            return command;
        }
        List<String> c = new java.util.ArrayList<>(command.size() + 1);
        c.add(setsid.toString());
        c.addAll(command);
        return c;
    }

    /** Waits (bounded) until Redis answers PING: it answers -LOADING while it replays its append-only file. */
    private static void awaitPong(Process redis, int port, Path log) throws IOException {
        long end = System.nanoTime() + REDIS_START_WAIT.toNanos();
        while (true) {
            if (!redis.isAlive()) {
                throw new IOException("redis-server exited with status " + redis.exitValue() + " (see " + log + ")");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(1000);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = s.getInputStream().readNBytes(5);
                if (new String(reply, StandardCharsets.US_ASCII).equals("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > end) {
                redis.destroyForcibly();
                throw new IOException("redis-server did not answer PING within " + REDIS_START_WAIT.toSeconds() + " s (see " + log + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                redis.destroyForcibly();
                throw new InterruptedIOException("interrupted while Redis started");
            }
        }
    }

    /** SIGTERM (Redis flushes its append-only file), then SIGKILL if it has not exited within the bound. */
    private static void stop(Process redis) throws IOException {
        redis.destroy();
        try {
            if (!redis.waitFor(REDIS_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("embedded Redis did not stop within {} s; killing it", REDIS_STOP_WAIT.toSeconds());
                redis.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            redis.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
