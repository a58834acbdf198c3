package io.sluice.diag;

import io.sluice.config.ConfigReader;

/** {@code diagnostics.enabled}: the /diag routes, off unless asked for. */
public record DiagnosticsSettings(boolean enabled) {

    public static DiagnosticsSettings from(ConfigReader c) {
        return new DiagnosticsSettings(c.bool("diagnostics.enabled"));
    }
}
