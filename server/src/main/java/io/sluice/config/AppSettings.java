package io.sluice.config;

import java.util.Set;

/** {@code app.mode}: production refuses development defaults (secrets, passwords) that a laptop accepts. */
public record AppSettings(boolean production) {

    public static AppSettings from(ConfigReader c) {
        return new AppSettings(c.oneOf("app.mode", Set.of("development", "production")).equals("production"));
    }
}
