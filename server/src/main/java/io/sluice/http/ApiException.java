package io.sluice.http;

import java.time.Duration;

/**
 * The one exception a handler throws for an expected failure: an HTTP status, a stable machine
 * code from {@link ErrorCode} and a message for the caller. {@link ErrorMapper} turns it into the
 * JSON error body.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final Duration retryAfter;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, Duration retryAfter) {
        this(code.status(), code.code(), message, retryAfter);
    }

    /**
     * For a status known only at run time (the error mapper's fallbacks); the code must still be
     * one of the catalogue's ({@code ErrorCodeTest} checks).
     */
    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(ErrorCode code, String message) {
        return new ApiException(code, message);
    }

    public static ApiException notFound(ErrorCode code, String message) {
        return new ApiException(code, message);
    }

    public static ApiException unavailable(ErrorCode code, String message, Duration retryAfter) {
        return new ApiException(code, message, retryAfter);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** OpenAI's error {@code type}. */
    public String type() {
        return ErrorCode.INSUFFICIENT_QUOTA.code().equals(code) ? ErrorCode.INSUFFICIENT_QUOTA.type() : ErrorCode.typeOf(status);
    }

    /** When set, sent as Retry-After (whole seconds, at least 1). */
    public Duration retryAfter() {
        return retryAfter;
    }
}
