package io.sluice.loadtest.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 10,000 queries through PgBouncer in transaction mode from 64 connections at once, with pgjdbc's
 * prepareThreshold=0 (what Sluice sets with database.pgbouncer): no prepared-statement errors. The
 * same run with pgjdbc's default threshold must produce them, or the check could not fail.
 */
final class PgBouncerCheck implements ClusterChecks.Check {
    private static final int THREADS = 64;
    private static final int QUERIES = 10_000;

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        int[] safe = run(c, true, QUERIES);
        int[] unsafe = run(c, false, THREADS * 40);
        boolean pass = safe[0] == QUERIES && safe[1] == 0 && safe[2] == 0 && unsafe[1] > 0;
        return new ClusterChecks.Row("PgBouncer transaction mode",
                QUERIES + " prepared SELECTs from " + THREADS + " connections with prepareThreshold=0; then "
                        + THREADS * 40 + " with pgjdbc's default threshold (5)",
                "prepareThreshold=0: " + safe[0] + " ok, " + safe[1] + " prepared-statement errors, " + safe[2]
                        + " other errors; default: " + unsafe[1] + " prepared-statement errors (proves the check can fail)", pass);
    }

    /** {ok, prepared-statement errors, other errors}. */
    private static int[] run(Cluster c, boolean zero, int total) throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger prepared = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int share = total / THREADS + (t < total % THREADS ? 1 : 0);
            threads.add(Thread.ofVirtual().start(() -> {
                try (Connection conn = c.pgbouncer(zero);
                     PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM tasks WHERE attempts > ?")) {
                    for (int i = 0; i < share; i++) {
                        try {
                            ps.setInt(1, i);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                            }
                            ok.incrementAndGet();
                        } catch (SQLException e) {
                            (String.valueOf(e.getMessage()).contains("prepared statement") ? prepared : other).incrementAndGet();
                        }
                    }
                } catch (SQLException e) {
                    other.incrementAndGet();
                }
            }));
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
        return new int[]{ok.get(), prepared.get(), other.get()};
    }
}
