package io.sluice.security;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.sluice.config.ConfigReader;

/** The {@code security:} (response headers) and {@code cors:} sections of config.yaml. */
public record SecuritySettings(boolean headers, String contentSecurityPolicy, Duration headerTimeout, boolean corsEnabled,
                               List<String> corsOrigins, Duration corsMaxAge) {

    public static SecuritySettings from(ConfigReader c) {
        List<String> origins = Arrays.stream(c.string("cors.allowed-origins").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new SecuritySettings(c.bool("security.headers"), c.string("security.content-security-policy"),
                                    c.duration("security.header-timeout"),
                                    c.bool("cors.enabled"), origins, c.duration("cors.max-age"));
    }
}
