package io.sluice.infra;

import java.time.Duration;

import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pool size per instance from what the database grants the application, and the driver set up for PgBouncer. */
class PoolSizingTest {

    static DatabaseSettings db(boolean pgbouncer, int serverConnections, int replicas, int cap) {
        return new DatabaseSettings("", "postgres", "postgres", pgbouncer, serverConnections, replicas, cap,
                                     Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(25),
                                     Duration.ofSeconds(1), 0, "unused", ReplicaSettings.NONE);
    }

    @Test
    void directModeSharesMaxConnectionsAcrossReplicas() {
        PoolSizing s = PoolSizing.of(db(false, 90, 4, 50));
        assertEquals(22, s.size(), "90 / 4 replicas, rounded down so the sum never exceeds the grant");
        assertTrue(s.reason().contains("PostgreSQL") && s.reason().contains("4 replica"), s.reason());
    }

    @Test
    void pgbouncerModeSharesTheServerPoolAndTheCapApplies() {
        PoolSizing shared = PoolSizing.of(db(true, 100, 8, 20));
        assertEquals(12, shared.size());
        assertTrue(shared.reason().contains("PgBouncer"), shared.reason());

        PoolSizing capped = PoolSizing.of(db(true, 100, 2, 20));
        assertEquals(20, capped.size(), "50 per instance, capped at max-pool-size");
        assertTrue(capped.reason().contains("capped at database.max-pool-size=20"), capped.reason());
    }

    @Test
    void moreReplicasThanConnectionsIsAConfigError() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> PoolSizing.of(db(true, 3, 5, 10)));
        assertTrue(e.getMessage().contains("database.server-connections"), e.getMessage());
    }

    @Test
    void pgbouncerModeDisablesServerPreparedStatementsAndPoolIsFixedSize() throws Exception {
        try (Database pgbouncer = Database.open(db(true, 6, 2, 10), TestInfra.postgresUrl())) {
            assertEquals(3, pgbouncer.sizing().size());
            int threshold = pgbouncer.withConnection(c -> c.unwrap(PGConnection.class).getPrepareThreshold());
            assertEquals(0, threshold, "no named server-side statements through a transaction pooler");
            TestInfraWait.until(() -> pgbouncer.pool().getTotalConnections() == 3);
            assertEquals(3, pgbouncer.pool().getTotalConnections(), "fixed-size pool: minimumIdle == maximumPoolSize");
        }
        try (Database direct = Database.open(db(false, 20, 1, 4), TestInfra.postgresUrl())) {
            int threshold = direct.withConnection(c -> c.unwrap(PGConnection.class).getPrepareThreshold());
            assertTrue(threshold > 0, "direct mode keeps pgjdbc's prepared statements");
        }
    }

    /** Hikari fills the pool in the background; wait for it, bounded. */
    static final class TestInfraWait {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {   // up to 20 s: a loaded CI machine
                Thread.sleep(50);
            }
        }
    }
}
