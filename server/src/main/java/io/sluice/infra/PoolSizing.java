package io.sluice.infra;

import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * How many JDBC connections one instance keeps. The database (or PgBouncer's server pool) grants the
 * application {@code server-connections} in total; every replica takes an equal share, capped by
 * {@code max-pool-size}. Waiting then happens in Hikari, bounded by its connectionTimeout, instead of
 * in PgBouncer's queue or as "too many clients" errors from PostgreSQL.
 */
public record PoolSizing(int size, String reason) {

    public static PoolSizing of(DatabaseSettings db) {
        int share = db.serverConnections() / db.replicas();
        if (share < 1) {
            throw new InvalidConfigException("database.server-connections", String.valueOf(db.serverConnections()),
                    "fewer than database.replicas (" + db.replicas() + "): every instance needs at least one connection");
        }
        int size = Math.min(share, db.maxPoolSize());
        String target = db.pgbouncer() ? "PgBouncer transaction pool" : "PostgreSQL";
        String reason = "%s grants %d server connections across %d replica(s) = %d per instance%s".formatted(
                target, db.serverConnections(), db.replicas(), share,
                size < share ? ", capped at database.max-pool-size=" + db.maxPoolSize() : "");
        return new PoolSizing(size, reason);
    }
}
