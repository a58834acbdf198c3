package io.sluice.fileproxy;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * A cached file answered from memory as the origin would: 304 when If-None-Match (weak comparison)
 * or, without it, If-Modified-Since says the client's copy is current; one byte range as 206
 * (suffix and open ranges too; 416 {@code range_not_satisfiable} with {@code Content-Range: bytes *}/size
 * when it starts past the end, as the proxy answers an origin's 416); an If-Range that does not match the
 * ETag or date, several ranges or a malformed one get the whole file (RFC 9110 lets a server ignore
 * Range); HEAD gets the headers and the length only.
 */
final class CachedAnswer {
    private CachedAnswer() {
    }

    static void send(CachedFile f, ServerRequest req, ServerResponse res) {
        header(res, HeaderNames.CONTENT_TYPE, f.contentType());
        header(res, HeaderNames.ETAG, f.etag());
        header(res, HeaderNames.LAST_MODIFIED, f.lastModified());
        header(res, HeaderNames.CACHE_CONTROL, f.cacheControl());
        header(res, HeaderNames.CONTENT_DISPOSITION, f.contentDisposition());
        header(res, HeaderNames.CONTENT_ENCODING, f.contentEncoding());
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
        if (notModified(f, req)) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        byte[] body = f.body();
        long size = body.length;
        long[] range = range(f, req, size);
        boolean head = req.prologue().method() == Method.HEAD;
        if (range != null && range.length == 0) {
            res.header(HeaderNames.CONTENT_RANGE, "bytes */" + size);   // kept by the error mapper, as for the origin's 416
            throw new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "the range lies outside the file's " + size + " bytes");
        }
        if (range != null) {
            res.status(Status.PARTIAL_CONTENT_206).header(HeaderNames.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + size);
            body = Arrays.copyOfRange(body, (int) range[0], (int) range[1] + 1);
        }
        if (head) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length)).send();
        } else {
            res.send(body);
        }
    }

    private static boolean notModified(CachedFile f, ServerRequest req) {
        var inm = req.headers().first(HeaderNames.IF_NONE_MATCH);
        if (inm.isPresent()) {
            if (f.etag() == null) {
                return false;
            }
            String mine = weak(f.etag());
            for (String tag : inm.get().split(",")) {
                if (tag.trim().equals("*") || weak(tag.trim()).equals(mine)) {
                    return true;
                }
            }
            return false;
        }
        var ims = req.headers().first(HeaderNames.IF_MODIFIED_SINCE);
        if (ims.isEmpty() || f.lastModified() == null) {
            return false;
        }
        try {
            return !date(f.lastModified()).isAfter(date(ims.get()));
        } catch (DateTimeParseException e) {
            return false;   // an unreadable date is ignored (RFC 9110 13.1.3)
        }
    }

    /** null: the whole file; {}: unsatisfiable; {first, last} otherwise. */
    private static long[] range(CachedFile f, ServerRequest req, long size) {
        String range = req.headers().first(HeaderNames.RANGE).orElse(null);
        if (range == null || !range.startsWith("bytes=") || range.contains(",")) {
            return null;
        }
        var ifRange = req.headers().first(HeaderNames.IF_RANGE);
        if (ifRange.isPresent() && !ifRange.get().equals(f.etag()) && !ifRange.get().equals(f.lastModified())) {
            return null;   // the client's partial copy is of another version: it gets the whole file
        }
        String spec = range.substring(6).trim();
        int dash = spec.indexOf('-');
        try {
            long first;
            long last;
            if (dash == 0) {
                long n = Long.parseLong(spec.substring(1));
                if (n == 0) {
                    return new long[0];
                }
                first = Math.max(0, size - n);
                last = size - 1;
            } else {
                first = Long.parseLong(spec.substring(0, dash));
                if (first >= size) {
                    return new long[0];
                }
                last = dash == spec.length() - 1 ? size - 1 : Long.parseLong(spec.substring(dash + 1));
                if (last < first) {
                    return null;   // invalid: ignored
                }
                last = Math.min(last, size - 1);
            }
            return first >= size ? new long[0] : new long[] {first, last};
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    private static String weak(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    private static ZonedDateTime date(String v) {
        return ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
    }

    private static void header(ServerResponse res, HeaderName name, String value) {
        if (value != null) {
            res.header(name, value);
        }
    }
}
