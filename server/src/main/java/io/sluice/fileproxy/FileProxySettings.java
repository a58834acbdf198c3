package io.sluice.fileproxy;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sluice.config.ConfigReader;
import io.sluice.ratelimit.RateLimitSettings;

/**
 * The {@code fileproxy:} section. The base values are the guide's "poor I/O" column (16 KB chunks,
 * 90 s): with {@code adaptive} on, each origin's network level scales them (see {@link NetworkLevel}).
 * Without any origin the proxy answers 404 for every file and costs nothing elsewhere. Small files may be
 * kept in the two-level cache ({@code cache.max-file-size}, per origin {@code cache-max-file-size}),
 * fresh for {@code cache.ttl} or the origin's shorter max-age (see {@link FileCache}).
 */
public record FileProxySettings(Map<String, OriginSettings> origins,
                                int maxConnections,
                                int maxIdleConnectionsPerOrigin,
                                Duration connectTimeout,
                                Duration totalTimeout,
                                int chunkSize,
                                int socketBuffer,
                                boolean adaptive,
                                int window,
                                int hysteresis,
                                RateLimitSettings.Upstream rate,
                                Duration retryAfter,
                                Duration cacheTtl) {
    /** The largest file the two-level cache may hold: its L2 copy is one Redis string (base64 in JSON). */
    static final long CACHE_MAX_FILE_SIZE = 8L << 20;

    public static FileProxySettings from(ConfigReader c) {
        int perOrigin = c.intAtLeast("fileproxy.max-connections-per-origin", 1);
        int minRate = c.intAtLeast("fileproxy.rate.min-rate", 1);
        int maxRate = c.intAtLeast("fileproxy.rate.max-rate", minRate);
        int initial = c.intAtLeast("fileproxy.rate.initial-rate", minRate);
        RateLimitSettings.Upstream rate = new RateLimitSettings.Upstream(
                c.bool("fileproxy.rate.enabled"), initial, minRate, maxRate,
                1 - Math.min(99, c.intAtLeast("fileproxy.rate.decrease-percent", 1)) / 100.0,
                1 + c.intAtLeast("fileproxy.rate.increase-percent", 1) / 100.0,
                c.intAtLeast("fileproxy.rate.error-percent", 1) / 100.0,
                c.intAtLeast("fileproxy.rate.recover-percent", 0) / 100.0,
                c.duration("fileproxy.rate.interval"),
                c.intAtLeast("fileproxy.rate.min-samples", 1),
                c.duration("fileproxy.rate.max-wait"));
        long cacheMax = cacheMaxFileSize(c, "fileproxy.cache.max-file-size");
        Map<String, OriginSettings> origins = new LinkedHashMap<>();
        for (String name : c.names("fileproxy.origins")) {
            OriginSettings o = OriginSettings.from(c, name, perOrigin, initial, maxRate, cacheMax);
            if (o.initialRate() < minRate || o.initialRate() > o.maxRate()) {
                throw new ConfigReader.InvalidConfigException("fileproxy.origins." + name + ".initial-rate",
                        String.valueOf(o.initialRate()), "must lie between fileproxy.rate.min-rate and the origin's max-rate");
            }
            origins.put(name, o);
        }
        long chunk = c.size("fileproxy.chunk-size");
        long buffer = c.size("fileproxy.socket-buffer");
        if (chunk < 1024 || chunk > (1 << 20)) {
            throw new ConfigReader.InvalidConfigException("fileproxy.chunk-size", String.valueOf(chunk), "must be 1KB to 1MB");
        }
        if (buffer < 8192 || buffer > (16 << 20)) {
            throw new ConfigReader.InvalidConfigException("fileproxy.socket-buffer", String.valueOf(buffer), "must be 8KB to 16MB");
        }
        return new FileProxySettings(Collections.unmodifiableMap(origins),
                                     c.intAtLeast("fileproxy.max-connections", 1),
                                     c.intAtLeast("fileproxy.max-idle-connections-per-origin", 1),
                                     c.duration("fileproxy.connect-timeout"),
                                     c.duration("fileproxy.total-timeout"),
                                     (int) chunk, (int) buffer,
                                     c.bool("fileproxy.adaptive"),
                                     c.intAtLeast("fileproxy.window", 1),
                                     c.intAtLeast("fileproxy.hysteresis", 1),
                                     rate,
                                     c.duration("fileproxy.retry-after"),
                                     c.duration("fileproxy.cache.ttl"));
    }

    /** The same settings with at most {@code n} origin connections in use (the open-file limit's share). */
    public FileProxySettings withMaxConnections(int n) {
        return new FileProxySettings(origins, n, maxIdleConnectionsPerOrigin, connectTimeout, totalTimeout, chunkSize,
                                     socketBuffer, adaptive, window, hysteresis, rate, retryAfter, cacheTtl);
    }

    static long cacheMaxFileSize(ConfigReader c, String key) {
        long max = c.size(key);
        if (max < 0 || max > CACHE_MAX_FILE_SIZE) {
            throw new ConfigReader.InvalidConfigException(key, String.valueOf(max), "must be 0 (no caching) to 8MB");
        }
        return max;
    }

    /** True when some origin may keep files in the two-level cache. */
    public boolean caches() {
        return origins.values().stream().anyMatch(o -> o.cacheMaxFileSize() > 0);
    }

    /** A path of a public origin ({@code /files/<public origin>/...}): callers need no credentials there. */
    public boolean isPublicPath(String path) {
        if (origins.isEmpty() || !path.startsWith("/files/")) {
            return false;
        }
        int end = path.indexOf('/', 7);
        OriginSettings o = origins.get(end < 0 ? path.substring(7) : path.substring(7, end));
        return o != null && o.isPublic();
    }
}
