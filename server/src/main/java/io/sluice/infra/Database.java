package io.sluice.infra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;
import io.helidon.metrics.api.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL through a fixed-size HikariCP pool. Every wait is bounded: connectionTimeout for a
 * connection, pgjdbc socketTimeout for a query round trip, maxLifetime below server-side limits.
 * While PostgreSQL is known to be unreachable, work fails at once (see {@link Outage}); the error
 * mapper answers 503 {@code database_unavailable} for every failure {@link DatabaseFailures} calls
 * an outage.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private static final java.time.Duration PROBE_INTERVAL = java.time.Duration.ofMillis(250);   // while known down

    private final HikariDataSource dataSource;
    private final DatabaseSettings settings;
    private final PoolSizing sizing;
    private final String displayUrl;
    private final Outage outage;
    private final Tracing tracing;
    /** Null without database.replica-url: then every read is a plain primary read, nothing counted. */
    private final ReadReplica replica;

    /** Work done with a connection; SQLException propagates as {@link DatabaseException}. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** Unchecked wrapper so handlers stay plain; the error mapper turns it into 503/500. */
    public static final class DatabaseException extends RuntimeException {
        public DatabaseException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private Database(HikariDataSource dataSource, DatabaseSettings settings, PoolSizing sizing, DatabaseTarget target,
                     Tracing tracing, ReadReplica replica) {
        this.tracing = tracing;
        this.dataSource = dataSource;
        this.replica = replica;
        this.settings = settings;
        this.sizing = sizing;
        this.displayUrl = target.display();
        this.outage = new Outage("postgresql", PROBE_INTERVAL, () -> target.answers(settings.connectionTimeout()));
    }

    /** Opens the pool (fails fast when the database cannot be reached) and applies migrations. */
    public static Database open(DatabaseSettings s, String url) {
        return open(s, url, Tracing.OFF);
    }

    /** As {@link #open(DatabaseSettings, String)}; with tracing on, each helper call is a client span. */
    public static Database open(DatabaseSettings s, String url, Tracing tracing) {
        DatabaseTarget target = DatabaseTarget.parse(url, s.username(), s.password());
        PoolSizing sizing = PoolSizing.of(s);

        HikariDataSource ds = new HikariDataSource(PoolConfig.hikari("sluice-db", target, s, sizing));
        LOG.info("database {} ({}); pool size {}: {}", target.display(), s.pgbouncer() ? "via PgBouncer" : "direct",
                 sizing.size(), sizing.reason());
        Database db = new Database(ds, s, sizing, target, tracing,
                                   s.replica().enabled() ? ReadReplica.open(s.replica(), s, sizing) : null);
        try {
            Migrations.apply(db, ds);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * Runs the work on a pooled connection; throws at once while PostgreSQL is known to be down (see
     * {@link Outage}: a failed connect marks it down, a failure mid-work lets the probe decide).
     */
    public <T> T withConnection(SqlWork<T> work) {
        return traced(null, work);
    }

    /**
     * The one place database work is traced (tracing on): a CLIENT span per helper call, named by the
     * statement's operation, with the statement text (parameters are never in it: they are bound).
     */
    private <T> T traced(String sql, SqlWork<T> work) {
        if (!tracing.enabled()) {   // the path when off: one check
            return connected(work);
        }
        String operation = sql == null ? "postgresql" : sql.strip().split("\\s", 2)[0].toUpperCase(java.util.Locale.ROOT);
        try (TraceSpan span = tracing.childClient(operation, true)) {
            span.set("db.system.name", "postgresql").set("db.operation.name", sql == null ? null : operation)
                .set("db.query.text", sql);
            try {
                return connected(work);
            } catch (RuntimeException e) {
                span.error(e.getClass().getSimpleName());
                throw e;
            }
        }
    }

    private <T> T connected(SqlWork<T> work) {
        if (outage.isDown()) {
            throw new DatabaseException(new SQLTransientConnectionException(
                    "PostgreSQL is known to be unreachable; a background probe checks it", "08001"));
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            if (DatabaseFailures.unreachable(e)) {
                outage.down(e);
            } else if (DatabaseFailures.unavailable(e)) {
                outage.suspect(e);   // a pool timeout: busy, or a database that stopped answering
            }
            throw new DatabaseException(e);
        }
        try (c) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private DatabaseException failed(SQLException e) {
        if (DatabaseFailures.unavailable(e)) {
            outage.suspect(e);
        }
        return new DatabaseException(e);
    }

    /** True while PostgreSQL is known to be unreachable (requests that need it answer 503 at once). */
    public boolean knownDown() {
        return outage.isDown();
    }

    /** One statement with positional parameters; returns the number of rows it changed. */
    public int update(String sql, Object... params) {
        return traced(sql, c -> {
            try (PreparedStatement ps = prepare(c, sql, params)) {
                return ps.executeUpdate();
            }
        });
    }

    /** The rows of a query (or of an INSERT/UPDATE ... RETURNING), mapped. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        return traced(sql, c -> rows(c, sql, mapper, params));
    }

    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        return query(sql, mapper, params).stream().findFirst();
    }

    /**
     * A read that may be a little behind (at most database.replica-max-lag): served by the read replica
     * while it is usable, else, or when it fails, by the primary. Never for a read that must see this
     * instance's own write of a moment ago (read-after-write): use {@link #query} for those.
     */
    public <T> List<T> readQuery(String sql, RowMapper<T> mapper, Object... params) {
        return read(c -> rows(c, sql, mapper, params));
    }

    /**
     * {@link #readQuery} for one row; a row the replica does not have is asked of the primary too, so a
     * row created a moment ago (a new task, a new key) is found although the replica has not replayed it.
     */
    public <T> Optional<T> readQueryOne(String sql, RowMapper<T> mapper, Object... params) {
        Optional<T> row = readQuery(sql, mapper, params).stream().findFirst();
        return row.isPresent() || replica == null ? row : queryOne(sql, mapper, params);
    }

    private <T> T read(SqlWork<T> work) {
        ReadReplica r = replica;
        if (r == null) {
            return withConnection(work);
        }
        if (r.usable()) {
            try {
                return r.withConnection(work);
            } catch (SQLException e) {
                if (DatabaseFailures.unavailable(e) || DatabaseFailures.unreachable(e)) {
                    r.failed(e);   // then the primary answers this read
                } else {
                    throw new DatabaseException(e);
                }
            }
        }
        T result = withConnection(work);
        r.servedByPrimary();
        return result;
    }

    private static <T> List<T> rows(Connection c, String sql, RowMapper<T> mapper, Object[] params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object[] params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }

    /** Runs the work in one transaction: committed if it returns, rolled back if it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** True when a pooled connection answers a trivial query, within the pool's bounded waits. */
    public boolean isReachable() {
        try {
            return withConnection(c -> c.createStatement().execute("SELECT 1"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    public HikariPoolMXBean pool() {
        return dataSource.getHikariPoolMXBean();
    }

    public DatabaseSettings settings() {
        return settings;
    }

    public PoolSizing sizing() {
        return sizing;
    }

    public String displayUrl() {
        return displayUrl;
    }

    /** The read split for /metrics, or null without a replica. */
    public Map<String, Object> reads() {
        return replica == null ? null : replica.status();
    }

    /** sluice_db_reads_total{pool=primary|replica} and the replica's state; nothing without a replica. */
    public void registerMeters(MeterRegistry registry) {
        if (replica != null) {
            replica.registerMeters(registry);
        }
    }

    @Override
    public void close() {
        if (replica != null) {
            replica.close();
        }
        outage.close();
        dataSource.close();
    }
}
