package io.sluice.infra;

import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/** The {@code database:} section. An empty URL means the embedded PostgreSQL (development). */
public record DatabaseSettings(@Secret(Secret.Kind.URL) String url,
                               String username,
                               @Secret String password,
                               boolean pgbouncer,
                               int serverConnections,
                               int replicas,
                               int maxPoolSize,
                               Duration connectionTimeout,
                               Duration socketTimeout,
                               Duration maxLifetime,
                               Duration validationTimeout,
                               int embeddedPort,
                               String embeddedDataDir,
                               ReplicaSettings replica) {

    public boolean embedded() {
        return url.isBlank();
    }

    /**
     * @param production    production mode refuses the development password
     * @param requestDeadline a connection wait must end before the request's own deadline
     */
    public static DatabaseSettings from(ConfigReader c, boolean production, Duration requestDeadline) {
        DatabaseSettings s = new DatabaseSettings(c.string("database.url").trim(),
                                                  c.string("database.username"),
                                                  c.string("database.password"),
                                                  c.bool("database.pgbouncer"),
                                                  c.intAtLeast("database.server-connections", 1),
                                                  c.intAtLeast("database.replicas", 1),
                                                  c.intAtLeast("database.max-pool-size", 1),
                                                  c.duration("database.connection-timeout"),
                                                  c.duration("database.socket-timeout"),
                                                  c.duration("database.max-lifetime"),
                                                  c.duration("database.validation-timeout"),
                                                  c.intAtLeast("database.embedded.port", 0),
                                                  c.string("database.embedded.data-dir"),
                                                  ReplicaSettings.from(c, c.string("database.username"), c.string("database.password")));
        if (s.connectionTimeout.compareTo(requestDeadline) >= 0) {
            throw new InvalidConfigException("database.connection-timeout",
                    s.connectionTimeout.toString(), "must be shorter than admission.request-deadline");
        }
        if (production && !s.embedded() && s.password.equals("sluice")) {
            throw new InvalidConfigException("database.password", "***",
                    "the development default is refused in production mode (set DATABASE_PASSWORD)");
        }
        return s;
    }

    @Override
    public String toString() {   // never print the password or URL credentials
        return "DatabaseSettings[" + io.sluice.config.Masking.url(url) + ", pool " + maxPoolSize + "]";
    }
}
