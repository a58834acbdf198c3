package io.sluice.fileproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * One file request relayed to its origin and streamed back through one fixed buffer of the origin's
 * current chunk size: memory stays flat whatever the file's size. The validators and the range go to
 * the origin, which answers 206/304/416 itself; its headers that describe the body come back. An answer
 * that is not a file (an error, a redirect) becomes Sluice's JSON error ({@link OriginErrors}); its body is
 * never forwarded.
 * A client that goes away makes the next write fail: the origin response is then closed unread, which
 * closes that origin connection at once instead of draining the rest of the file into a pooled one.
 */
final class Transfer {
    private static final List<HeaderName> TO_ORIGIN = List.of(HeaderNames.RANGE, HeaderNames.IF_RANGE,
            HeaderNames.IF_NONE_MATCH, HeaderNames.IF_MODIFIED_SINCE, HeaderNames.IF_MATCH, HeaderNames.IF_UNMODIFIED_SINCE);
    private static final List<HeaderName> TO_CLIENT = List.of(HeaderNames.CONTENT_TYPE, HeaderNames.CONTENT_LENGTH,
            HeaderNames.CONTENT_RANGE, HeaderNames.ETAG, HeaderNames.LAST_MODIFIED, HeaderNames.ACCEPT_RANGES,
            HeaderNames.CACHE_CONTROL, HeaderNames.EXPIRES, HeaderNames.CONTENT_DISPOSITION, HeaderNames.CONTENT_ENCODING);

    private static final int DISCARD_LIMIT = 64 * 1024;

    private final FileProxySettings settings;

    Transfer(FileProxySettings settings) {
        this.settings = settings;
    }

    void run(Origin origin, String path, ServerRequest req, ServerResponse res) {
        NetworkLevel level = origin.level(settings.adaptive());
        Duration readTimeout = level.timeout(settings.totalTimeout());
        boolean head = req.prologue().method() == Method.HEAD;
        Http1ClientRequest up = request(origin, head ? Method.HEAD : Method.GET, path, readTimeout);
        for (HeaderName name : TO_ORIGIN) {
            req.headers().first(name).ifPresent(v -> up.header(name, v));
        }
        long start = System.nanoTime();
        origin.stats.request();
        try (HttpClientResponse answer = up.request()) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            int status = answer.status().code();
            if (OriginErrors.originFailed(status)) {
                failed(origin);
            } else {
                succeeded(origin, millis);
            }
            if (!OriginErrors.relayed(status)) {
                ApiException error = OriginErrors.of(origin, path, status, answer.headers(), settings.retryAfter());
                if (status == 416) {   // "bytes */<size>": the client learns the file's length, as from the origin
                    answer.headers().first(HeaderNames.CONTENT_RANGE).ifPresent(v -> res.header(HeaderNames.CONTENT_RANGE, v));
                }
                if (!head) {
                    discard(answer);
                }
                throw error;
            }
            res.status(Status.create(status));
            for (HeaderName name : TO_CLIENT) {
                answer.headers().first(name).ifPresent(v -> res.header(name, v));
            }
            if (head || status == 304 || status == 204) {
                res.send();
                return;
            }
            copy(origin, answer, res, level.chunk(settings.chunkSize()));
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            }
            failed(origin);
            throw map(origin, e, readTimeout);
        }
    }

    /** A request to the origin for {@code path} (raw, already checked by FilePaths), with the origin's own header. */
    static Http1ClientRequest request(Origin origin, Method method, String path, Duration readTimeout) {
        URI uri;
        try {
            uri = URI.create(origin.settings.baseUrl() + path);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_PATH, "the file path is not a valid URL path");
        }
        Http1ClientRequest up = origin.client.method(method).uri(uri).readTimeout(readTimeout);
        if (origin.header != null) {
            up.header(origin.header);
        }
        return up;
    }

    /** Origin to client through one buffer; a failed client write ends the relay quietly (nobody is listening). */
    private void copy(Origin origin, HttpClientResponse answer, ServerResponse res, int chunk) throws IOException {
        byte[] buffer = new byte[chunk];
        InputStream in = answer.inputStream();
        OutputStream out;
        try {
            out = res.outputStream();
        } catch (RuntimeException e) {
            return;
        }
        long relayed = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                try {
                    out.write(buffer, 0, n);
                } catch (IOException | UncheckedIOException e) {
                    return;   // client gone: the try-with-resources above closes the origin connection unread
                }
                relayed += n;
            }
        } finally {
            origin.stats.bytes(relayed);
        }
        try {
            out.close();
        } catch (IOException | UncheckedIOException e) {
            // the client went away after the last byte
        }
    }

    /**
     * Reads and drops a small error body (an HTML 404 page) so that the origin connection goes back to the
     * keep-alive pool: closed unread it would be closed, and a client asking for missing files would cost a
     * new connection (a TLS handshake) each time. A body above {@value #DISCARD_LIMIT} bytes is left unread.
     */
    private static void discard(HttpClientResponse answer) {
        long length = answer.headers().contentLength().orElse(-1);
        if (length == 0 || length > DISCARD_LIMIT) {
            return;
        }
        try {
            InputStream in = answer.inputStream();
            byte[] buffer = new byte[8192];
            long left = DISCARD_LIMIT;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            // the origin connection is closed instead of reused; the client's answer is the same
        }
    }

    static void succeeded(Origin origin, long millis) {
        origin.stats.responseTime(millis);
        origin.quality.record(millis);
        if (origin.rate != null) {
            origin.rate.record(false);
        }
    }

    static void failed(Origin origin) {
        origin.stats.error();
        if (origin.rate != null) {
            origin.rate.record(true);
        }
    }

    /** Connect failures 502, timeouts 504, anything else on the origin connection 502. */
    static ApiException map(Origin origin, Exception e, Duration readTimeout) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException
                    || c.getClass().getSimpleName().equals("RuntimeUnknownHostException")) {
                return new ApiException(ErrorCode.UPSTREAM_UNREACHABLE, "origin " + origin.name() + " is unreachable ("
                        + c.getClass().getSimpleName() + ")");
            }
            if (c instanceof SocketTimeoutException) {
                return new ApiException(ErrorCode.UPSTREAM_TIMEOUT, "origin " + origin.name() + " sent nothing for "
                        + readTimeout.toMillis() + " ms");
            }
        }
        return new ApiException(ErrorCode.UPSTREAM_ERROR, "origin " + origin.name() + " connection failed ("
                + e.getClass().getSimpleName() + ")");
    }
}
