package io.sluice.infra;

import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;

/** The HikariCP settings the primary's pool and the read replica's pool share. */
final class PoolConfig {
    private PoolConfig() {
    }

    static HikariConfig hikari(String name, DatabaseTarget target, DatabaseSettings s, PoolSizing sizing) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(name);
        hc.setJdbcUrl(target.jdbcUrl());
        hc.setUsername(target.username());
        hc.setPassword(target.password());
        hc.setMaximumPoolSize(sizing.size());
        hc.setMinimumIdle(sizing.size());          // fixed size: no ramp-up under a burst
        hc.setConnectionTimeout(s.connectionTimeout().toMillis());
        hc.setValidationTimeout(s.validationTimeout().toMillis());
        hc.setMaxLifetime(s.maxLifetime().toMillis());
        hc.setKeepaliveTime(Math.min(s.maxLifetime().toMillis() / 2, TimeUnit.MINUTES.toMillis(2)));
        hc.setInitializationFailTimeout(s.connectionTimeout().toMillis());
        hc.addDataSourceProperty("ApplicationName", "sluice");
        hc.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, s.connectionTimeout().toSeconds())));
        hc.addDataSourceProperty("socketTimeout", String.valueOf(Math.max(1, s.socketTimeout().toSeconds())));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        // No "Detail:"/"Where:" parts in exception messages: they quote row values (user content) into logs.
        hc.addDataSourceProperty("logServerErrorDetail", "false");
        if (s.pgbouncer()) {
            // Transaction pooling hands each transaction a different server connection: no
            // server-side prepared statements and no session state (SET, LISTEN, session locks).
            hc.addDataSourceProperty("prepareThreshold", "0");
        }
        return hc;
    }
}
