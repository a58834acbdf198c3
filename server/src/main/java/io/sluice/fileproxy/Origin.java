package io.sluice.fileproxy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Tag;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.sluice.observe.ServerMeters;
import io.sluice.ratelimit.AdaptiveRate;
import io.sluice.ratelimit.RateLimitSettings;

/**
 * One allow-listed origin at run time: its own HTTP/1.1 client (keep-alive connection cache as large
 * as its connection limit), the connections in use, the adaptive rate, the network level and counters.
 * The client never follows redirects: a 3xx could point anywhere, and only the base URL is allowed.
 */
final class Origin implements AutoCloseable {
    final OriginSettings settings;
    final Semaphore connections;
    final NetworkQuality quality;
    final OriginStats stats = new OriginStats();
    final AdaptiveRate rate;   // null when fileproxy.rate.enabled is false
    final Header header;       // null without one
    private final WebClient web;
    final Http1Client client;

    Origin(OriginSettings o, FileProxySettings s) {
        this.settings = o;
        this.connections = new Semaphore(o.maxConnections());
        this.quality = new NetworkQuality(s.window(), s.hysteresis());
        RateLimitSettings.Upstream r = s.rate();
        this.rate = r.enabled() ? new AdaptiveRate(new RateLimitSettings.Upstream(true, o.initialRate(), r.minRate(), o.maxRate(),
                r.decreaseFactor(), r.increaseFactor(), r.errorThreshold(), r.recoverThreshold(), r.interval(), r.minSamples(),
                r.maxWait()), System::nanoTime) : null;
        this.header = o.headerName().isEmpty() ? null
                : HeaderValues.create(HeaderNames.create(o.headerName()), false, true, o.headerValue());
        this.web = WebClient.builder()
                // The guide's poor-I/O socket: no Nagle (chunks go out at once), keep-alive probes on idle pooled
                // connections, 256 KB kernel buffers so a long fat pipe is not throttled by the window.
                .socketOptions(SocketOptions.builder()
                                       .tcpNoDelay(true)
                                       .socketKeepAlive(true)
                                       .socketReceiveBufferSize(s.socketBuffer())
                                       .socketSendBufferSize(s.socketBuffer())
                                       .connectTimeout(s.connectTimeout())
                                       .readTimeout(s.totalTimeout())
                                       .build())
                .connectTimeout(s.connectTimeout())
                .readTimeout(s.totalTimeout())
                .keepAlive(true)
                .followRedirects(false)
                .shareConnectionCache(false)
                // kept idle for reuse, each polled by Helidon every 100 ms (see OpenAiCompatibleProvider.webClient)
                .connectionCacheSize(Math.min(s.maxIdleConnectionsPerOrigin(), o.maxConnections()))
                .sendExpectContinue(false)
                .build();
        this.client = web.client(Http1Client.PROTOCOL);
    }

    String name() {
        return settings.name();
    }

    /** The level the next request uses (MEDIUM's values, the configured base, when adaptation is off). */
    NetworkLevel level(boolean adaptive) {
        return adaptive ? quality.level() : NetworkLevel.MEDIUM;
    }

    double currentRate() {
        return rate == null ? Double.NaN : rate.rate();
    }

    void registerMeters(ServerMeters meters) {
        List<Tag> tags = List.of(Tag.create("origin", name()));   // bounded: origins come from config only
        meters.gauge("sluice.fileproxy.network.level", "network level per origin: 0 good, 1 medium, 2 poor, 3 very poor",
                     tags, () -> quality.level().ordinal());
        meters.gauge("sluice.fileproxy.rate", "adaptive request rate limit per origin (requests/s)", tags, this::currentRate);
        meters.gauge("sluice.fileproxy.connections", "origin connections in use", tags,
                     () -> settings.maxConnections() - connections.availablePermits());
        meters.registry().getOrCreate(FunctionalCounter.builder("sluice.fileproxy.requests", stats, OriginStats::requests)
                .description("file requests sent to the origin").tags(tags));
        meters.registry().getOrCreate(FunctionalCounter.builder("sluice.fileproxy.errors", stats, OriginStats::errors)
                .description("origin errors: 5xx, 429, 408, unreachable, timed out").tags(tags));
        meters.registry().getOrCreate(FunctionalCounter.builder("sluice.fileproxy.bytes", stats, OriginStats::bytes)
                .description("bytes relayed from the origin").tags(tags));
    }

    Map<String, Object> json(boolean adaptive) {
        Map<String, Object> m = stats.json();
        m.put("rate_limit", rate == null ? null : Math.round(rate.rate() * 10) / 10.0);
        m.put("network_level", level(adaptive).label());
        m.put("avg_window_ms", Math.round(quality.averageMillis() * 10) / 10.0);
        m.put("connections_in_use", settings.maxConnections() - connections.availablePermits());
        return m;
    }

    @Override
    public void close() {
        web.closeResource();
    }
}
