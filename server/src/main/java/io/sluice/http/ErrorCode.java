package io.sluice.http;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every error code Sluice answers with, its HTTP status and OpenAI's error {@code type}. The same
 * failure has the same code wherever it happens: a required body field that is absent is
 * {@code missing_field}, a field of the wrong type or out of range {@code invalid_request}, a bad
 * query parameter {@code invalid_parameter}. OpenAI answers an unknown model (and any 404) with
 * {@code invalid_request_error}, so Sluice does too.
 */
public enum ErrorCode {
    // 400: the request itself is wrong; the message names the field
    BAD_REQUEST(400, "bad_request"),
    INVALID_JSON(400, "invalid_json"),
    INCOMPLETE_BODY(400, "incomplete_body"),
    MISSING_FIELD(400, "missing_field"),
    INVALID_REQUEST(400, "invalid_request"),
    INVALID_PARAMETER(400, "invalid_parameter"),
    INVALID_MODEL(400, "invalid_model"),
    INVALID_MESSAGES(400, "invalid_messages"),
    TOO_MANY_MESSAGES(400, "too_many_messages"),
    INVALID_ROLE(400, "invalid_role"),
    INVALID_CONTENT(400, "invalid_content"),
    CONTENT_TOO_LARGE(400, "content_too_large"),
    INVALID_MAX_TOKENS(400, "invalid_max_tokens"),
    INVALID_USERNAME(400, "invalid_username"),
    WEAK_PASSWORD(400, "weak_password"),
    NOT_A_TOKEN(400, "not_a_token"),
    AUTH_DISABLED(400, "auth_disabled"),
    INVALID_SCENE(400, "invalid_scene"),
    TEMPLATE_TOO_LARGE(400, "template_too_large"),
    MISSING_VARIABLES(400, "missing_variables"),
    UPSTREAM_REJECTED_REQUEST(400, "upstream_rejected_request"),
    INVALID_PATH(400, "invalid_path"),
    INVALID_AUDIO(400, "invalid_audio"),
    // 401, 403
    UNAUTHORIZED(401, "unauthorized"),
    INVALID_API_KEY(401, "invalid_api_key"),
    REGISTRATION_DISABLED(403, "registration_disabled"),
    ADMIN_REQUIRED(403, "admin_required"),
    MODEL_NOT_ALLOWED(403, "model_not_allowed"),
    // 404: someone else's resource answers exactly like a missing one
    NOT_FOUND(404, "not_found"),
    MODEL_NOT_FOUND(404, "model_not_found"),
    SESSION_NOT_FOUND(404, "session_not_found"),
    TASK_NOT_FOUND(404, "task_not_found"),
    SCENE_NOT_FOUND(404, "scene_not_found"),
    API_KEY_NOT_FOUND(404, "api_key_not_found"),
    USER_NOT_FOUND(404, "user_not_found"),
    ORIGIN_NOT_FOUND(404, "origin_not_found"),
    FILE_NOT_FOUND(404, "file_not_found"),
    PODCAST_NOT_FOUND(404, "podcast_not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    REQUEST_BODY_TIMEOUT(408, "request_body_timeout"),
    // 409, 412, 413, 415, 416, 429
    SCENE_EXISTS(409, "scene_exists"),
    USERNAME_TAKEN(409, "username_taken"),
    TASK_NOT_CANCELLABLE(409, "task_not_cancellable"),
    PODCAST_NOT_READY(409, "podcast_not_ready"),
    PRECONDITION_FAILED(412, "precondition_failed"),
    PAYLOAD_TOO_LARGE(413, "payload_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
    RANGE_NOT_SATISFIABLE(416, "range_not_satisfiable"),
    RATE_LIMIT_EXCEEDED(429, "rate_limit_exceeded"),
    INSUFFICIENT_QUOTA(429, "insufficient_quota"),
    TOO_MANY_CONCURRENT_REQUESTS(429, "too_many_concurrent_requests"),
    // 5xx: ours or the upstream's; 503s carry Retry-After
    INTERNAL_ERROR(500, "internal_error"),
    UPSTREAM_ERROR(502, "upstream_error"),
    UPSTREAM_UNREACHABLE(502, "upstream_unreachable"),
    UPSTREAM_AUTH_FAILED(502, "upstream_auth_failed"),
    UPSTREAM_INVALID_RESPONSE(502, "upstream_invalid_response"),
    OVERLOADED(503, "overloaded"),
    SHUTTING_DOWN(503, "shutting_down"),
    INTERRUPTED(503, "interrupted"),
    BULKHEAD_FULL(503, "bulkhead_full"),
    BULKHEAD_TIMEOUT(503, "bulkhead_timeout"),
    UPSTREAM_BUSY(503, "upstream_busy"),
    UPSTREAM_RATE_LIMITED(503, "upstream_rate_limited"),
    DATABASE_UNAVAILABLE(503, "database_unavailable"),
    REDIS_UNAVAILABLE(503, "redis_unavailable"),
    QUEUE_UNAVAILABLE(503, "queue_unavailable"),
    RATE_LIMITER_UNAVAILABLE(503, "rate_limiter_unavailable"),
    DEADLINE_EXCEEDED(504, "deadline_exceeded"),
    UPSTREAM_TIMEOUT(504, "upstream_timeout");

    private static final Map<String, ErrorCode> BY_CODE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::code, Function.identity()));

    private final int status;
    private final String code;

    ErrorCode(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** OpenAI's {@code type} for this code. */
    public String type() {
        return this == INSUFFICIENT_QUOTA ? INSUFFICIENT_QUOTA.code : typeOf(status);   // OpenAI's type is the code here
    }

    public static Optional<ErrorCode> of(String code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** OpenAI's error {@code type} for a status, for errors whose status is only known at run time. */
    public static String typeOf(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }
}
