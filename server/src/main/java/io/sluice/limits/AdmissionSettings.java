package io.sluice.limits;

import java.time.Duration;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/** The {@code admission:} section: the global request and streaming limits, their queue timeout and the request deadline. */
public record AdmissionSettings(int maxConcurrentRequests,
                                int maxConcurrentStreaming,
                                Duration queueTimeout,
                                Duration retryAfter,
                                Duration requestDeadline,
                                Duration drainTimeout) {

    public static AdmissionSettings from(ConfigReader c) {
        AdmissionSettings s = new AdmissionSettings(c.intAtLeast("admission.max-concurrent-requests", 1),
                                                    c.intAtLeast("admission.max-concurrent-streaming", 1),
                                                    c.duration("admission.queue-timeout"),
                                                    c.duration("admission.retry-after"),
                                                    c.duration("admission.request-deadline"),
                                                    c.duration("admission.drain-timeout"));
        if (s.maxConcurrentStreaming > s.maxConcurrentRequests) {
            throw new InvalidConfigException("admission.max-concurrent-streaming", String.valueOf(s.maxConcurrentStreaming),
                    "must not exceed admission.max-concurrent-requests (" + s.maxConcurrentRequests
                            + "): every stream is also a request");
        }
        return s;
    }
}
