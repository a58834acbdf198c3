package io.sluice.tracing;

import java.net.URI;
import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * The {@code tracing:} section. Off by default: then no OpenTelemetry SDK is built and the request
 * path pays one null check per hook.
 *
 * @param endpoint       the OTLP/HTTP traces URL (a collector's {@code http://host:4318/v1/traces})
 * @param samplingRatio  share of new traces recorded (0..1); a client's sampled flag is followed
 * @param exportInterval how long finished spans wait to be sent in one batch
 */
public record TracingSettings(boolean enabled, String endpoint, double samplingRatio, String serviceName,
                              Duration exportInterval, int queueSize) {

    public static TracingSettings from(ConfigReader c) {
        String endpoint = c.string("tracing.endpoint").trim();
        try {
            URI uri = URI.create(endpoint);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("tracing.endpoint", endpoint, "not an http(s) URL");
        }
        String ratio = c.string("tracing.sampling-ratio").trim();
        double r;
        try {
            r = Double.parseDouble(ratio);
        } catch (NumberFormatException e) {
            r = -1;
        }
        if (!(r >= 0 && r <= 1)) {
            throw new InvalidConfigException("tracing.sampling-ratio", ratio, "a number from 0 to 1");
        }
        String service = c.string("tracing.service-name").trim();
        if (service.isEmpty()) {
            throw new InvalidConfigException("tracing.service-name", service, "must not be empty");
        }
        return new TracingSettings(c.bool("tracing.enabled"), endpoint, r, service,
                                   c.duration("tracing.export-interval"), c.intAtLeast("tracing.queue-size", 16));
    }
}
