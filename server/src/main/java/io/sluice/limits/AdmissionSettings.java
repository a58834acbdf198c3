package io.sluice.limits;

import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * The {@code admission:} section: the global request and streaming limits, their queue timeout, the
 * request deadline, how long a request body may take to arrive, the per-client concurrency caps, and the
 * stop: drain-delay (not ready, still serving) then drain-timeout (refusing, finishing in-flight requests).
 */
public record AdmissionSettings(int maxConcurrentRequests,
                                int maxConcurrentStreaming,
                                Duration queueTimeout,
                                Duration retryAfter,
                                Duration requestDeadline,
                                Duration drainTimeout,
                                Duration bodyTimeout,
                                long bodyMinRate,
                                int maxPerClient,
                                int maxPerIp,
                                long bodyBufferBudget,
                                Duration drainDelay) {

    public static AdmissionSettings from(ConfigReader c) {
        AdmissionSettings s = new AdmissionSettings(c.intAtLeast("admission.max-concurrent-requests", 1),
                                                    c.intAtLeast("admission.max-concurrent-streaming", 1),
                                                    c.duration("admission.queue-timeout"),
                                                    c.duration("admission.retry-after"),
                                                    c.duration("admission.request-deadline"),
                                                    c.duration("admission.drain-timeout"),
                                                    c.duration("admission.body-timeout"),
                                                    c.size("admission.body-min-rate"),
                                                    c.intAtLeast("admission.max-concurrent-per-client", 0),
                                                    c.intAtLeast("admission.max-concurrent-per-ip", 0),
                                                    c.size("admission.body-buffer-budget"),
                                                    drainDelay(c));
        if (s.maxConcurrentStreaming > s.maxConcurrentRequests) {
            throw new InvalidConfigException("admission.max-concurrent-streaming", String.valueOf(s.maxConcurrentStreaming),
                    "must not exceed admission.max-concurrent-requests (" + s.maxConcurrentRequests
                            + "): every stream is also a request");
        }
        if (s.bodyBufferBudget < 1024) {
            throw new InvalidConfigException("admission.body-buffer-budget", String.valueOf(s.bodyBufferBudget),
                    "must be at least 1KB");
        }
        if (!s.bodyTimeout.isPositive()) {
            throw new InvalidConfigException("admission.body-timeout", s.bodyTimeout.toString(), "must be positive");
        }
        return s;
    }

    /** Zero (the default: refuse at once) or a positive duration; ConfigReader.duration allows only positive ones. */
    private static Duration drainDelay(ConfigReader c) {
        String v = c.string("admission.drain-delay").trim();
        Duration d = ConfigReader.parseDuration(v);
        if (d == null || d.isNegative()) {
            throw new InvalidConfigException("admission.drain-delay", v, "not a duration >= 0 (0s, 250ms, 3s)");
        }
        return d;
    }
}
