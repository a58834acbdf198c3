package io.sluice.llm;

import java.time.Duration;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * One failed upstream call, already mapped to what the client will see (502/503/504 in OpenAI's
 * error shape) and to what the router may do next: retry the same provider, fall back to the next
 * one, or neither (the request itself was refused, so every provider would refuse it).
 */
public final class UpstreamException extends Exception {
    /** What the router may do after this failure. */
    public enum Next { RETRY, FALL_BACK, GIVE_UP }

    private final ErrorCode error;
    private final Next next;
    private final Duration retryAfter;
    private final ApiException refusal;   // a limit's own answer (bulkhead): passed to the client as it is

    public UpstreamException(ErrorCode error, String message, Next next, Duration retryAfter) {
        this(error, message, next, retryAfter, null);
    }

    private UpstreamException(ErrorCode error, String message, Next next, Duration retryAfter, ApiException refusal) {
        super(message, null, false, false);
        this.error = error;
        this.next = next;
        this.retryAfter = retryAfter;
        this.refusal = refusal;
    }

    /** A provider's bulkhead refused the call (full, or no slot in time): the next provider may have room. */
    static UpstreamException refused(ApiException refusal) {
        ErrorCode code = ErrorCode.of(refusal.code()).orElse(ErrorCode.BULKHEAD_FULL);
        return new UpstreamException(code, refusal.getMessage(), code == ErrorCode.INTERRUPTED ? Next.GIVE_UP : Next.FALL_BACK,
                                     refusal.retryAfter(), refusal);
    }

    /** An answer that is not what the protocol promises (empty, not JSON, HTML, the wrong shape, a stream cut short). */
    public static UpstreamException invalid(String provider, String why) {
        return new UpstreamException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "provider " + provider + " sent an invalid answer: " + why,
                                     Next.RETRY, null);
    }

    public static UpstreamException unreachable(String provider, String why) {
        return new UpstreamException(ErrorCode.UPSTREAM_UNREACHABLE, "could not connect to provider " + provider + ": " + why,
                                     Next.RETRY, null);
    }

    public static UpstreamException timeout(String provider, String what) {
        return new UpstreamException(ErrorCode.UPSTREAM_TIMEOUT, "provider " + provider + " " + what, Next.RETRY, null);
    }

    public static UpstreamException broken(String provider, String why) {
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, "provider " + provider + " failed: " + why, Next.RETRY, null);
    }

    public static UpstreamException busy(String provider) {
        return new UpstreamException(ErrorCode.UPSTREAM_BUSY, "all connections to provider " + provider + " are in use",
                                     Next.FALL_BACK, null);
    }

    /** A non-200 answer from the provider. */
    public static UpstreamException status(String provider, int status, String detail, Duration retryAfter) {
        String what = "provider " + provider + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 429) {
            return new UpstreamException(ErrorCode.UPSTREAM_RATE_LIMITED, what, Next.RETRY, retryAfter);
        }
        if (status == 504 || status == 408) {
            return new UpstreamException(ErrorCode.UPSTREAM_TIMEOUT, what, Next.RETRY, null);
        }
        if (status >= 500) {
            return new UpstreamException(ErrorCode.UPSTREAM_ERROR, what, Next.RETRY, retryAfter);
        }
        if (status == 400 || status == 413 || status == 422) {
            // The request itself was refused: another provider would refuse it too.
            return new UpstreamException(ErrorCode.UPSTREAM_REJECTED_REQUEST, what, Next.GIVE_UP, null);
        }
        if (status == 401 || status == 403) {
            // Not the provider's message: some echo part of the key they were given.
            return new UpstreamException(ErrorCode.UPSTREAM_AUTH_FAILED, "provider " + provider + " refused Sluice's credentials ("
                    + status + "); check its api-key", Next.FALL_BACK, null);
        }
        return new UpstreamException(ErrorCode.UPSTREAM_ERROR, what, Next.FALL_BACK, null);   // 404 and the like: this provider only
    }

    public int status() {
        return error.status();
    }

    public String code() {
        return error.code();
    }

    public Next next() {
        return next;
    }

    /** The provider's Retry-After, when it sent one. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public ApiException toApiException() {
        if (refusal != null) {
            return refusal;
        }
        return new ApiException(error, getMessage(), error.status() == 503 ? Duration.ofSeconds(2) : null);
    }
}
