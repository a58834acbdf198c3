package io.sluice.fileproxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.cache.TwoLevelCache;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.observe.ServerMeters;

/**
 * The file proxy: the configured origins and the limits in front of them. A request passes, in order,
 * the origin's adaptive rate (a bounded wait, then 503 + Retry-After), then a connection slot of the
 * origin and one of the whole proxy (each waited for at most the connect timeout, then 503), then
 * {@link Transfer}. Admission and the per-client limits have already been taken by the filters. An origin
 * that caches small files answers from {@link FileCache} first: a hit takes none of the origin's limits.
 */
public final class FileProxy implements AutoCloseable {
    private final FileProxySettings settings;
    private final Map<String, Origin> origins = new LinkedHashMap<>();
    private final Semaphore connections;
    private final Transfer transfer;
    private final FileCache cache;

    /** {@code files}: the two-level cache of small files; null when no origin caches or the cache is off. */
    public FileProxy(FileProxySettings settings, ServerMeters meters, TwoLevelCache<CachedFile> files) {
        this.settings = settings;
        this.connections = new Semaphore(settings.maxConnections());
        this.transfer = new Transfer(settings);
        this.cache = new FileCache(files, settings);
        settings.origins().forEach((name, o) -> {
            Origin origin = new Origin(o, settings);
            origin.registerMeters(meters);
            origins.put(name, origin);
        });
    }

    void serve(ServerRequest req, ServerResponse res) {
        FilePaths.Target target = FilePaths.parse(req.path().absolute().rawPath());
        Origin origin = origins.get(target.origin());
        if (origin == null) {
            throw ApiException.notFound(ErrorCode.ORIGIN_NOT_FOUND, "no origin named '" + target.origin()
                    + "' is configured (fileproxy.origins)");
        }
        if (cache.applies(origin) && cache.serve(origin.name() + "/" + target.path(), req, res,
                                                 () -> limited(origin, () -> cache.load(origin, target.path())))) {
            return;   // answered from the two-level cache (loaded now or earlier)
        }
        limited(origin, () -> {
            transfer.run(origin, target.path(), req, res);
            return null;
        });
    }

    /** {@code work} under the origin's rate, a connection slot of the origin and one of the whole proxy. */
    private <T> T limited(Origin origin, Supplier<T> work) {
        pace(origin);
        long wait = settings.connectTimeout().toNanos();
        try {
            if (!origin.connections.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw busy(origin);
            }
            try {
                if (!connections.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                    throw busy(origin);
                }
                try {
                    return work.get();
                } finally {
                    connections.release();
                }
            } finally {
                origin.connections.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable(ErrorCode.INTERRUPTED, "request interrupted", settings.retryAfter());
        }
    }

    /** The origin's adaptive rate: go now, after a bounded wait, or 503 at once when the wait would be too long. */
    private void pace(Origin origin) {
        if (origin.rate == null) {
            return;
        }
        long wait = origin.rate.reserve();
        if (wait < 0) {
            throw ApiException.unavailable(ErrorCode.UPSTREAM_RATE_LIMITED, "origin " + origin.name()
                    + " is being called at its adaptive rate limit; retry later", settings.retryAfter());
        }
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable(ErrorCode.INTERRUPTED, "request interrupted", settings.retryAfter());
            }
        }
    }

    private ApiException busy(Origin origin) {
        return ApiException.unavailable(ErrorCode.UPSTREAM_BUSY, "all connections to origin " + origin.name()
                + " are in use; retry later", settings.retryAfter());
    }

    /** The {@code /stats} document: per origin, and the proxy's totals. */
    Map<String, Object> stats() {
        Map<String, Object> byOrigin = new LinkedHashMap<>();
        long requests = 0;
        long errors = 0;
        long bytes = 0;
        for (Origin o : origins.values()) {
            byOrigin.put(o.name(), o.json(settings.adaptive()));
            requests += o.stats.requests();
            errors += o.stats.errors();
            bytes += o.stats.bytes();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_requests", requests);
        m.put("errors", errors);
        m.put("error_rate", requests == 0 ? 0.0 : Math.round(errors * 1000.0 / requests) / 1000.0);
        m.put("bytes", bytes);
        m.put("adaptive", settings.adaptive());
        m.put("connections_in_use", settings.maxConnections() - connections.availablePermits());
        m.put("origins", byOrigin);
        return m;
    }

    @Override
    public void close() {
        origins.values().forEach(Origin::close);
    }
}
