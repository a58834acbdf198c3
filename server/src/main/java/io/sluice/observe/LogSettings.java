package io.sluice.observe;

import java.util.Set;

import io.sluice.config.ConfigReader;

/** The {@code logging:} section: where the rolling files go, their format and their size. */
public record LogSettings(String dir, boolean json, long maxFileSize, int maxHistory) {

    public static LogSettings from(ConfigReader c) {
        return new LogSettings(c.string("logging.dir"),
                               c.oneOf("logging.format", Set.of("text", "json")).equals("json"),
                               c.size("logging.max-file-size"),
                               c.intAtLeast("logging.max-history", 1));
    }
}
