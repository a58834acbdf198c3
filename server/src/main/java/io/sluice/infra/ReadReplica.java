package io.sluice.infra;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming replica (database.replica-url) with its own fixed-size pool, for reads that may be a
 * little behind. Whether it may serve reads is decided by one background check every
 * {@code replica-check-interval}, never per query: reachable, and its replay no further behind the
 * primary than {@code replica-max-lag}. A read that fails on it for want of the server marks it unusable
 * at once (the check brings it back). Counts the reads it served; {@link Database} counts the rest.
 */
final class ReadReplica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadReplica.class);

    /**
     * Lag in seconds: 0 when every received WAL record is replayed (an idle primary sends nothing, so the
     * last replay time alone would grow forever) or when the server is not in recovery (a promoted replica,
     * or a primary standing in); else the age of the last replayed transaction.
     */
    private static final String LAG_SQL = "SELECT pg_is_in_recovery(), CASE WHEN NOT pg_is_in_recovery() "
            + "OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            + "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END";

    private final HikariDataSource dataSource;
    private final ReplicaSettings settings;
    private final String display;
    private final LongAdder served = new LongAdder();
    private final LongAdder servedByPrimary = new LongAdder();   // reads of the split the primary took (fallback)
    private final Thread checker;
    private volatile boolean usable;
    private volatile long lagMillis = -1;
    private volatile boolean closed;

    private ReadReplica(HikariDataSource dataSource, ReplicaSettings settings, String display) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.display = display;
        this.checker = Thread.ofVirtual().name("db-replica-check").start(this::checkLoop);
    }

    /** Opens the pool without waiting for the replica: one that is down at start serves no reads until it is up. */
    static ReadReplica open(ReplicaSettings r, DatabaseSettings s, PoolSizing sizing) {
        DatabaseTarget target = DatabaseTarget.parse(r.url(), r.username(), r.password());
        HikariConfig hc = PoolConfig.hikari("sluice-db-replica", target, s, sizing);
        hc.setInitializationFailTimeout(-1);
        if (!s.pgbouncer()) {
            // A session that refuses writes: a write routed here by mistake fails loudly, even where a primary
            // stands in for the replica. (Through PgBouncer in transaction mode no session state is allowed.)
            hc.setReadOnly(true);
            hc.addDataSourceProperty("readOnlyMode", "always");
        }
        ReadReplica replica = new ReadReplica(new HikariDataSource(hc), r, target.display());
        LOG.info("read replica {}: reads that may lag go there while it is at most {} ms behind; checked every {} ms",
                 replica.display, r.maxLag().toMillis(), r.checkInterval().toMillis());
        return replica;
    }

    boolean usable() {
        return usable;
    }

    /** The last measured lag in milliseconds, -1 when unknown (unreachable). */
    long lagMillis() {
        return lagMillis;
    }

    long served() {
        return served.sum();
    }

    /** A read of the split that the primary served (replica unusable, or it failed the read). */
    void servedByPrimary() {
        servedByPrimary.increment();
    }

    /** The split for /metrics (JSON). */
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replica_url", display);
        m.put("replica_usable", usable);
        m.put("replica_lag_ms", lagMillis);
        m.put("replica_max_lag_ms", settings.maxLag().toMillis());
        m.put("served_by_replica", served.sum());
        m.put("served_by_primary", servedByPrimary.sum());
        return m;
    }

    /** The same for Prometheus; the pool label has two values. */
    void registerMeters(MeterRegistry registry) {
        String what = "reads that may lag, by the pool that served them";
        registry.getOrCreate(FunctionalCounter.builder("sluice.db.reads", servedByPrimary, LongAdder::sum)
                .description(what).tags(List.of(Tag.create("pool", "primary"))));
        registry.getOrCreate(FunctionalCounter.builder("sluice.db.reads", served, LongAdder::sum)
                .description(what).tags(List.of(Tag.create("pool", "replica"))));
        registry.getOrCreate(Gauge.builder("sluice.db.replica.usable", () -> usable ? 1.0 : 0.0)
                .description("1 while the read replica serves reads (reachable, lag within database.replica-max-lag)"));
        registry.getOrCreate(Gauge.builder("sluice.db.replica.lag.seconds", () -> lagMillis / 1000.0)
                .description("the read replica's last measured replay lag (negative while unreachable)"));
    }

    <T> T withConnection(Database.SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            T result = work.apply(c);
            served.increment();
            return result;
        }
    }

    /** A read failed for want of the replica: stop sending reads until the next check passes. */
    void failed(SQLException e) {
        if (usable) {
            usable = false;
            LOG.warn("read replica {} failed a read ({}); reads go to the primary until a check passes", display, e.getMessage());
        }
    }

    private void checkLoop() {
        while (!closed) {
            check();
            try {
                Thread.sleep(settings.checkInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void check() {
        boolean ok;
        String why;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, settings.checkInterval().toSeconds()));
            try (ResultSet rs = st.executeQuery(LAG_SQL)) {
                rs.next();
                lagMillis = Math.round(rs.getDouble(2) * 1000);
            }
            ok = lagMillis <= settings.maxLag().toMillis();
            why = "lag " + lagMillis + " ms, bound " + settings.maxLag().toMillis() + " ms";
        } catch (SQLException | RuntimeException e) {
            lagMillis = -1;
            ok = false;
            why = "unreachable: " + e.getMessage();
        }
        if (ok != usable && !closed) {
            usable = ok;
            if (ok) {
                LOG.info("read replica {} serves reads ({}); {}", display, why, tally());
            } else {
                LOG.warn("read replica {} serves no reads, the primary does ({}); {}", display, why, tally());
            }
        }
    }

    private String tally() {
        return "reads so far: " + served.sum() + " by the replica, " + servedByPrimary.sum() + " by the primary";
    }

    @Override
    public void close() {
        LOG.info("read replica {} closed; {}", display, tally());
        closed = true;
        usable = false;
        checker.interrupt();
        dataSource.close();
    }
}
