package io.sluice.security;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.http.ClientAddress;

/** The {@code security:} (response headers) and {@code cors:} sections of config.yaml. */
public record SecuritySettings(boolean headers, String contentSecurityPolicy, Duration headerTimeout, boolean corsEnabled,
                               List<String> corsOrigins, Duration corsMaxAge, List<String> trustedProxies) {

    public static SecuritySettings from(ConfigReader c) {
        List<String> origins = Arrays.stream(c.string("cors.allowed-origins").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        List<String> proxies = Arrays.stream(c.string("security.trusted-proxies").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        try {
            new ClientAddress(proxies);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("security.trusted-proxies", String.join(",", proxies), e.getMessage());
        }
        return new SecuritySettings(c.bool("security.headers"), c.string("security.content-security-policy"),
                                    c.duration("security.header-timeout"),
                                    c.bool("cors.enabled"), origins, c.duration("cors.max-age"), proxies);
    }
}
