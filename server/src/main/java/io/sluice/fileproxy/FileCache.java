package io.sluice.fileproxy;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.cache.TwoLevelCache;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * Small files kept whole in the two-level cache (L1 in this process, L2 in Redis, shared by the
 * instances), for origins whose {@code cache-max-file-size} is above 0. A miss loads the file with
 * one origin GET carrying {@code Range: bytes=0-<max-1>}: a file within the limit comes back whole
 * (206 covering all of it, or 200 from an origin without ranges) and is kept; a larger one costs at
 * most the headers and the limit's bytes, the connection is closed, and "not cacheable" is
 * remembered for {@code cache.negative-ttl} while the file is streamed as usual ({@code bypass}).
 *
 * <p>As a shared cache (RFC 9111) it never keeps {@code no-store}, {@code private}, {@code no-cache},
 * a zero max-age, a {@code Vary} other than Accept-Encoding, or a {@code Set-Cookie} answer; a kept
 * file is fresh for the origin's s-maxage/max-age or {@code fileproxy.cache.ttl}, the shorter, and is
 * then loaded again. Hits are answered from memory: 304 for matching validators, one Range (206, 416
 * when unsatisfiable, If-Range honoured; several ranges get the whole file), HEAD; every answer of a
 * caching origin says {@code X-Sluice-Cache: hit | miss | bypass}.
 */
final class FileCache {
    static final HeaderName CACHE = HeaderNames.create("X-Sluice-Cache");
    private static final Header HIT = HeaderValues.create(CACHE, "hit");
    private static final Header MISS = HeaderValues.create(CACHE, "miss");
    static final Header BYPASS = HeaderValues.create(CACHE, "bypass");

    private final TwoLevelCache<CachedFile> cache;   // null: no origin caches, or the two-level cache is off
    private final FileProxySettings settings;
    private final Duration ttl;

    FileCache(TwoLevelCache<CachedFile> cache, FileProxySettings settings) {
        this.cache = cache;
        this.settings = settings;
        this.ttl = settings.cacheTtl();
    }

    boolean applies(Origin origin) {
        return cache != null && origin.settings.cacheMaxFileSize() > 0;
    }

    /**
     * Answers from the cache, loading through {@code load} on a miss; false when the file is not
     * cacheable (too large, no-store, not found...): the caller streams it from the origin.
     */
    boolean serve(String key, ServerRequest req, ServerResponse res, Supplier<Optional<CachedFile>> load) {
        boolean[] loaded = {false};
        Supplier<Optional<CachedFile>> loader = () -> {
            loaded[0] = true;
            return load.get();
        };
        Optional<CachedFile> file = cache.get(key, loader);
        if (file.isPresent() && !file.get().freshAt(System.currentTimeMillis())) {
            cache.invalidate(key);   // stale: drop it here, in Redis and on the other instances, then load afresh
            file = cache.get(key, loader);
        }
        if (file.isEmpty() || !file.get().freshAt(System.currentTimeMillis())) {
            res.header(BYPASS);
            return false;
        }
        res.header(loaded[0] ? MISS : HIT);
        CachedAnswer.send(file.get(), req, res);
        return true;
    }

    /** The loader: one ranged GET to the origin; empty when the answer must not or cannot be kept. */
    Optional<CachedFile> load(Origin origin, String path) {
        long max = origin.settings.cacheMaxFileSize();
        Duration readTimeout = origin.level(settings.adaptive()).timeout(settings.totalTimeout());
        long start = System.nanoTime();
        origin.stats.request();
        try (HttpClientResponse answer = Transfer.request(origin, Method.GET, path, readTimeout)
                .header(HeaderNames.RANGE, "bytes=0-" + (max - 1)).request()) {
            int status = answer.status().code();
            if (status >= 500) {
                Transfer.failed(origin);
                throw new ApiException(ErrorCode.UPSTREAM_ERROR, "origin " + origin.name() + " answered " + status);
            }
            Transfer.succeeded(origin, (System.nanoTime() - start) / 1_000_000);
            Headers h = answer.headers();
            long length = wholeLength(status, h, max);
            Long fresh = length < 0 ? null : freshFor(h);
            if (fresh == null) {
                return Optional.empty();   // closing unread drops this origin connection: at most the headers were paid
            }
            byte[] body = answer.inputStream().readNBytes((int) length);
            origin.stats.bytes(body.length);
            if (body.length != length) {
                Transfer.failed(origin);
                throw new ApiException(ErrorCode.UPSTREAM_ERROR, "origin " + origin.name() + " cut the file short");
            }
            return Optional.of(new CachedFile(first(h, HeaderNames.CONTENT_TYPE), first(h, HeaderNames.ETAG),
                                              first(h, HeaderNames.LAST_MODIFIED), first(h, HeaderNames.CACHE_CONTROL),
                                              first(h, HeaderNames.CONTENT_DISPOSITION), first(h, HeaderNames.CONTENT_ENCODING),
                                              System.currentTimeMillis() + fresh, body));
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            Transfer.failed(origin);
            throw Transfer.map(origin, e, readTimeout);
        }
    }

    /** The file's whole length when this answer carries all of it within {@code max}; -1 otherwise. */
    static long wholeLength(int status, Headers h, long max) {
        Optional<String> cl = h.first(HeaderNames.CONTENT_LENGTH);
        long length;
        try {
            length = cl.isPresent() ? Long.parseLong(cl.get().trim()) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
        if (status == 200) {
            return length >= 0 && length <= max ? length : -1;
        }
        if (status != 206) {
            return -1;   // 404, 416 (an empty file), 3xx...: not kept, the usual path answers
        }
        String range = h.first(HeaderNames.CONTENT_RANGE).orElse("");   // "bytes 0-N/T": all of it when N = T-1
        int slash = range.indexOf('/');
        int dash = range.indexOf('-');
        if (!range.startsWith("bytes 0-") || slash < 0 || dash > slash) {
            return -1;
        }
        try {
            long last = Long.parseLong(range.substring(dash + 1, slash).trim());
            long total = Long.parseLong(range.substring(slash + 1).trim());
            return total == last + 1 && total == length && total <= max ? total : -1;
        } catch (NumberFormatException e) {
            return -1;   // "*" total or garbage
        }
    }

    /** How long (ms) a shared cache may keep this answer fresh; null: it must not be kept. */
    Long freshFor(Headers h) {
        if (h.contains(HeaderNames.SET_COOKIE)) {
            return null;
        }
        String vary = h.first(HeaderNames.VARY).orElse("").trim().toLowerCase(Locale.ROOT);
        if (!vary.isEmpty() && !vary.equals("accept-encoding")) {
            return null;
        }
        long fresh = ttl.toMillis();
        Long maxAge = null;
        Long sMaxAge = null;
        for (String d : h.first(HeaderNames.CACHE_CONTROL).orElse("").toLowerCase(Locale.ROOT).split(",")) {
            String t = d.trim();
            if (t.equals("no-store") || t.equals("private") || t.startsWith("private=") || t.equals("no-cache")
                || t.startsWith("no-cache=")) {
                return null;
            }
            if (t.startsWith("max-age=")) {
                maxAge = seconds(t.substring(8));
            } else if (t.startsWith("s-maxage=")) {
                sMaxAge = seconds(t.substring(9));
            }
        }
        Long age = sMaxAge != null ? sMaxAge : maxAge;
        if (age != null) {
            fresh = Math.min(fresh, age * 1000);
        }
        return fresh > 0 ? fresh : null;
    }

    private static Long seconds(String v) {
        try {
            return Math.max(0, Long.parseLong(v.replace("\"", "").trim()));
        } catch (NumberFormatException e) {
            return 0L;   // an unreadable max-age counts as stale (RFC 9111 4.2.1)
        }
    }

    private static String first(Headers h, HeaderName name) {
        return h.first(name).orElse(null);
    }
}
