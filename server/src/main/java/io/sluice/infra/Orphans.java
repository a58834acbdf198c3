package io.sluice.infra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embedded servers left running by an earlier Sluice that was killed (kill -9, an OutOfMemoryError
 * exit): no shutdown hook ran, so PostgreSQL (a daemon) and Redis (a child that outlives its parent)
 * keep the data directory and the port, and the next start would fail. Their pid files name them;
 * an orphan is stopped before the new start, and the log says so.
 */
final class Orphans {
    private static final Logger LOG = LoggerFactory.getLogger(Orphans.class);
    /** A clean stop flushes and checkpoints; the old clients are gone, so it is quick. */
    private static final long STOP_WAIT_SECONDS = 20;
    private static final long KILL_WAIT_SECONDS = 5;

    private Orphans() {
    }

    /** The live process a pid file names, if its command looks like {@code program} (pids get reused). */
    static Optional<ProcessHandle> running(Path pidFile, String program) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream().findFirst().orElse("").trim();
            return ProcessHandle.of(Long.parseLong(first))
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains(program)).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops the {@code program} that {@code pidFile} names, unless a live process still owns it:
     * {@code lockFile} (PostgreSQL's, held by the JVM that started it) or a parent other than init.
     */
    static void stop(String name, Path pidFile, String program, Path lockFile) {
        Optional<ProcessHandle> orphan = running(pidFile, program);
        if (orphan.isEmpty()) {
            return;
        }
        ProcessHandle p = orphan.get();
        if (ownedByLiveProcess(p, lockFile)) {
            throw new IllegalStateException("embedded " + name + " (pid " + p.pid() + ") in " + pidFile.getParent()
                                            + " belongs to another running process; give this server its own data-dir");
        }
        LOG.warn("embedded {} (pid {}) was left running by an earlier run that did not stop cleanly; stopping it",
                 name, p.pid());
        p.destroy();   // SIGTERM: PostgreSQL's smart shutdown, Redis' save-and-exit
        if (!await(p, STOP_WAIT_SECONDS)) {
            LOG.error("embedded {} (pid {}) did not stop within {} s; killing it", name, p.pid(), STOP_WAIT_SECONDS);
            p.destroyForcibly();
            await(p, KILL_WAIT_SECONDS);
        }
        p.descendants().forEach(child -> await(child, KILL_WAIT_SECONDS));
        LOG.info("embedded {} orphan (pid {}) stopped", name, p.pid());
    }

    private static boolean ownedByLiveProcess(ProcessHandle p, Path lockFile) {
        if (lockFile != null && Files.exists(lockFile)) {
            try (RandomAccessFile f = new RandomAccessFile(lockFile.toFile(), "rw");
                 FileLock lock = f.getChannel().tryLock()) {
                return lock == null;
            } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
                return true;
            }
        }
        return p.parent().filter(parent -> parent.pid() != 1 && parent.isAlive()
                                           && parent.info().command().map(c -> c.contains("java")).orElse(false))
                .isPresent();
    }

    static boolean await(ProcessHandle p, long seconds) {
        try {
            p.onExit().get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        } catch (Exception e) {
            return !p.isAlive();
        }
    }
}
