package io.sluice.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/** The benchmark's closed loop: a fixed number of keep-alive connections, each sending its next request at once. */
final class ClosedLoop {
    private ClosedLoop() {
    }

    record Run(double rps, Latencies lat, Latencies rejections) {
    }

    interface RunSupplier {
        Run get() throws Exception;
    }

    static Run best(RunSupplier a, RunSupplier b) throws Exception {
        Run first = a.get();
        Run second = b.get();
        return first.rps() >= second.rps() ? first : second;
    }

    /**
     * Every target run {@code rounds} times, alternating (a, b, a, b...), and the best run of each by
     * req/s: a yardstick and the servers measured against it see the same spells of machine noise.
     */
    static List<Run> bestAlternating(int rounds, List<RunSupplier> targets) throws Exception {
        List<Run> best = new ArrayList<>(java.util.Collections.nCopies(targets.size(), (Run) null));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < targets.size(); i++) {
                Run run = targets.get(i).get();
                if (best.get(i) == null || run.rps() > best.get(i).rps()) {
                    best.set(i, run);
                }
            }
        }
        return best;
    }

    /** {@code connections} clients, each sending its next request as soon as the last one answered. */
    static Run run(URI base, int connections, Duration duration, String method, String path, String body)
            throws InterruptedException {
        return run(base, connections, duration, method, path, body, "");
    }

    /** As above, with {@code headers} (whole lines, CRLF-terminated) on every request. */
    static Run run(URI base, int connections, Duration duration, String method, String path, String body, String headers)
            throws InterruptedException {
        return run(base, connections, duration, method, path, body, headers, Thread.ofVirtual().factory());
    }

    /**
     * As above, one client per thread from {@code threads}. Platform threads where the timing of a
     * burst matters: with virtual ones, hundreds of clients whose answers arrive in the same
     * millisecond wait for this JVM's few carriers, and that wait shows up as the server's latency
     * (500 clients against a bare Helidon semaphore with the 2 s wait: 503 p99 2,069-2,099 ms on
     * virtual threads, 2,004-2,005 ms on platform threads, same box).
     */
    static Run run(URI base, int connections, Duration duration, String method, String path, String body, String headers,
                   ThreadFactory threads) throws InterruptedException {
        Latencies ok = new Latencies();
        Latencies rejections = new Latencies();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        try (var pool = Executors.newThreadPerTaskExecutor(threads)) {
            for (int i = 0; i < connections; i++) {
                pool.submit(() -> {
                    RawHttp c = null;
                    while (System.nanoTime() < end) {
                        try {
                            if (c == null) {   // connecting is not part of a request's latency (as in wrk)
                                c = new RawHttp(base, 60_000, headers);
                            }
                            long t0 = System.nanoTime();
                            int status = c.exchange(method, path, body).status();
                            long t = System.nanoTime() - t0;
                            if (status == 200 || status == 202) {
                                ok.ok.increment();
                                ok.record(t);
                            } else if (status == 503) {
                                ok.rejected.increment();
                                rejections.record(t);
                            } else {
                                ok.errors.increment();
                            }
                        } catch (IOException | RuntimeException e) {
                            ok.errors.increment();
                            closeQuietly(c);
                            c = null;
                        }
                    }
                    closeQuietly(c);
                    return null;
                });
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new Run(ok.ok.sum() / secs, ok, rejections);
    }

    static void sleepUntil(long nanos) {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(RawHttp c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
