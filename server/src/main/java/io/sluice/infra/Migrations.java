package io.sluice.infra;

import java.util.List;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The schema: Flyway migrations from {@code db/migration}, skipped when nothing changed. */
final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    private static final String MIGRATIONS = "db/migration";

    private Migrations() {
    }

    /**
     * Applies the migrations with Flyway, unless the schema history already carries the digest of
     * exactly the migration files in this jar: recorded only after Flyway succeeded with these files,
     * so a match means there is nothing to apply or validate. Any other file set runs Flyway.
     */
    static void apply(Database db, DataSource dataSource) {
        String fingerprint = SchemaFingerprint.of(Migrations.class.getClassLoader(), MIGRATIONS);
        if (fingerprint != null && fingerprint.equals(recordedFingerprint(db))) {
            LOG.info("database schema unchanged since the last migration by this release: Flyway skipped");
            return;
        }
        var result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:" + MIGRATIONS)
                .load()
                .migrate();
        LOG.info("database schema at version {} ({} migration(s) applied now)",
                 result.targetSchemaVersion == null ? "current" : result.targetSchemaVersion, result.migrationsExecuted);
        if (fingerprint != null) {
            try {   // the digest is hex behind a fixed prefix: nothing to escape
                db.update("COMMENT ON TABLE flyway_schema_history IS '" + fingerprint + "'");
            } catch (Database.DatabaseException e) {
                LOG.debug("cannot record the migrations digest ({}); Flyway runs at every start", e.getMessage());
            }
        }
    }

    private static String recordedFingerprint(Database db) {
        try {
            List<String> comment = db.query("SELECT obj_description(to_regclass('flyway_schema_history'), 'pg_class')",
                                         row -> String.valueOf(row.getString(1)));
            return comment.isEmpty() ? null : comment.get(0);
        } catch (Database.DatabaseException e) {
            return null;
        }
    }
}
