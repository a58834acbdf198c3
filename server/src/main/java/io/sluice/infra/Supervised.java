package io.sluice.infra;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded server kept running while Sluice runs: a virtual thread checks once a second that the
 * process its pid file names is alive, and starts it again (same port, same data) when it is not.
 * The pools reconnect by themselves, so readiness comes back without a restart of Sluice.
 */
final class Supervised implements Embedded.Handle {
    private static final Logger LOG = LoggerFactory.getLogger(Supervised.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** Starts the server once and returns how to stop it; throws when it cannot start. */
    interface Starter {
        Stop start() throws IOException;
    }

    interface Stop {
        void run() throws IOException;
    }

    private final String name;
    private final String url;
    private final int port;
    private final Path pidFile;
    private final String program;
    private final Starter starter;
    private final Thread watcher;
    private volatile Stop stop;
    private volatile boolean closed;

    private Supervised(String name, String url, int port, Path pidFile, String program, Starter starter, Stop first) {
        this.name = name;
        this.url = url;
        this.port = port;
        this.pidFile = pidFile;
        this.program = program;
        this.starter = starter;
        this.stop = first;
        this.watcher = Thread.ofVirtual().name("embedded-" + name.toLowerCase() + "-watch").start(this::watch);
    }

    /** Starts the server (the first start's failure is the caller's) and supervises it. */
    static Supervised start(String name, String url, int port, Path pidFile, String program, Starter starter) throws IOException {
        return new Supervised(name, url, port, pidFile, program, starter, starter.start());
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public int port() {
        return port;
    }

    private void watch() {
        Duration backoff = CHECK_EVERY;
        long downSince = 0;
        while (!closed) {
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            if (closed || alive().isPresent()) {
                continue;
            }
            if (jvmShuttingDown()) {
                LOG.info("embedded {} stopped during shutdown; not restarting it", name);
                return;
            }
            if (downSince == 0) {
                downSince = System.nanoTime();
                LOG.error("embedded {} at {} is not running (process gone); restarting it", name, url);
                stopQuietly();
            }
            try {
                stop = starter.start();
                LOG.warn("embedded {} restarted at {} after {} ms down", name, url, (System.nanoTime() - downSince) / 1_000_000);
                downSince = 0;
                backoff = CHECK_EVERY;
            } catch (IOException | RuntimeException e) {
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                LOG.error("embedded {} did not restart ({}); next try in {} ms", name, e.toString(), backoff.toMillis());
                stopQuietly();
            }
        }
    }

    /**
     * A death seen while the JVM shuts down is the shutdown, not a fault (Ctrl-C reaches the child
     * process too, as it shares the terminal's process group), and a restart would leave an orphan.
     */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private Optional<ProcessHandle> alive() {
        return Orphans.running(pidFile, program);
    }

    /** Releases what the dead instance still holds (the data directory's lock); its process is gone. */
    private void stopQuietly() {
        try {
            stop.run();
        } catch (IOException | RuntimeException e) {
            LOG.debug("embedded {}: stopping the dead instance: {}", name, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        try {
            watcher.join(Duration.ofSeconds(35));   // a restart in progress has a 30 s start wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            stop.run();
            LOG.info("embedded {} stopped", name);
        } catch (IOException e) {
            LOG.warn("embedded {} did not stop cleanly: {}", name, e.toString());
        }
    }
}
