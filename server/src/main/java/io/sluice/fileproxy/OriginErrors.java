package io.sluice.fileproxy;

import java.time.Duration;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Text;

/**
 * An origin's answer that is not a file (nor a 304) as the catalogue's error: the client gets Sluice's
 * JSON error, never the origin's own body (an HTML 404 page, an S3 XML error that may name buckets or
 * keys). The rule: what the client's own request decides keeps its status (404/410 the path, 412 its
 * preconditions, 416 its range); what only the operator can fix (credentials, the origin's policy or its
 * failures) is the gateway's 5xx, because retrying or changing the request does not help the client.
 * <pre>
 *   404, 410           404 file_not_found
 *   412                412 precondition_failed    (If-Match / If-Unmodified-Since were the client's)
 *   416                416 range_not_satisfiable  (the caller keeps the origin's Content-Range)
 *   401, 403, 407      502 upstream_auth_failed   (Sluice's access to the origin: header / header-value)
 *   429                503 upstream_rate_limited  (Retry-After: the origin's seconds, else fileproxy.retry-after)
 *   408                504 upstream_timeout
 *   other 4xx, 5xx     502 upstream_error         (the message names the origin's status)
 *   3xx but 304        502 upstream_invalid_response (redirects are not followed)
 * </pre>
 */
final class OriginErrors {
    private static final long MAX_RETRY_AFTER_SECONDS = 3600;

    private OriginErrors() {
    }

    /** True for the statuses relayed as they are: 1xx/2xx and 304. */
    static boolean relayed(int status) {
        return status < 300 || status == 304;
    }

    /** True when the answer says the origin is failing or overloaded: counted as an error, and the adaptive rate backs off. */
    static boolean originFailed(int status) {
        return status >= 500 || status == 429 || status == 408;
    }

    /** The error for a status that is not {@link #relayed}. */
    static ApiException of(Origin origin, String path, int status, Headers answer, Duration defaultRetryAfter) {
        String name = origin.name();
        String file = "'" + Text.clip(path, 200) + "'";
        return switch (status) {
            case 404, 410 -> ApiException.notFound(ErrorCode.FILE_NOT_FOUND, "origin " + name + " has no file " + file
                    + " (it answered " + status + ")");
            case 412 -> new ApiException(ErrorCode.PRECONDITION_FAILED, "file " + file + " at origin " + name
                    + " does not match If-Match / If-Unmodified-Since");
            case 416 -> new ApiException(ErrorCode.RANGE_NOT_SATISFIABLE, "the range lies outside file " + file
                    + " at origin " + name + " (see Content-Range)");
            // Not the origin's message: it could echo the credential it was given.
            case 401, 403, 407 -> new ApiException(ErrorCode.UPSTREAM_AUTH_FAILED, "origin " + name + " refused Sluice's access ("
                    + status + "); check fileproxy.origins." + name + ".header and header-value");
            case 429 -> ApiException.unavailable(ErrorCode.UPSTREAM_RATE_LIMITED, "origin " + name
                    + " is rate limiting Sluice (429); retry later", retryAfter(answer, defaultRetryAfter));
            case 408 -> new ApiException(ErrorCode.UPSTREAM_TIMEOUT, "origin " + name + " timed out reading Sluice's request (408)");
            default -> status >= 300 && status < 400
                    ? new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "origin " + name + " answered a redirect ("
                                       + status + "); redirects are not followed")
                    : new ApiException(ErrorCode.UPSTREAM_ERROR, "origin " + name + " answered " + status
                                       + (status < 500 ? " for file " + file : ""));
        };
    }

    /** The origin's Retry-After when it is a number of seconds (bounded), else the default. */
    private static Duration retryAfter(Headers answer, Duration fallback) {
        try {
            long s = Long.parseLong(answer.first(HeaderNames.RETRY_AFTER).orElse("").trim());
            return s > 0 ? Duration.ofSeconds(Math.min(s, MAX_RETRY_AFTER_SECONDS)) : fallback;
        } catch (NumberFormatException e) {
            return fallback;   // absent, or an HTTP date: the proxy's own
        }
    }
}
