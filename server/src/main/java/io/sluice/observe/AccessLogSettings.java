package io.sluice.observe;

import java.util.Set;

import io.sluice.config.ConfigReader;

/**
 * How access lines are written: always to server.log through a bounded asynchronous queue, and to
 * the console only in development mode or when {@code logging.access-console} asks for it (a
 * production console is usually a container log that already gets server.log's shipper).
 * {@code startLine}: a "request started" line too (the podcast guide's format), off by default since it
 * doubles the lines written and the queue they share.
 */
public record AccessLogSettings(boolean console, int queueSize, boolean startLine) {

    public static AccessLogSettings from(ConfigReader c, boolean production) {
        boolean development = !production;
        String console = c.oneOf("logging.access-console", Set.of("auto", "true", "false"));
        return new AccessLogSettings(console.equals("auto") ? development : console.equals("true"),
                                     c.intAtLeast("logging.access-queue-size", 16),
                                     c.bool("logging.access-start-line"));
    }
}
