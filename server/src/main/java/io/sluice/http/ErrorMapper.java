package io.sluice.http;

import java.io.UncheckedIOException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.infra.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one place where an exception becomes an HTTP error. Body:
 * {@code {"error":{"code","message","type","request_id"}}} (a superset of OpenAI's error object).
 * Unexpected exceptions are logged with their stack trace and answered with a generic 500; no
 * stack trace or internal message ever reaches the client.
 */
public final class ErrorMapper implements ErrorHandler<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable t) {
        ApiException e = req.context().get(RequestDeadline.class)
                .filter(RequestDeadline::expired)
                .map(g -> new ApiException(504, "deadline_exceeded",
                        "request exceeded the server's deadline of " + g.deadline().toSeconds() + " s"))
                .orElseGet(() -> toApiException(t));
        String requestId = RequestId.of(req);
        if (e.status() == 500 && isClientGone(t, res)) {
            LOG.debug("request {}: client went away ({})", requestId, t.toString());
            return;
        }
        if (e.status() == 500) {
            LOG.error("request {} {} {} failed: {}", requestId, req.prologue().method().text(), req.path().path(),
                      e.code(), t);
        }
        if (res.isSent()) {
            // A streamed response has started: the status is gone; the handler ends the stream itself.
            return;
        }
        send(res, e, requestId);
    }

    /** Writes the JSON error for an ApiException; used by filters that answer without throwing. */
    public static void send(ServerResponse res, ApiException e, String requestId) {
        res.status(Status.create(e.status()));
        if (e.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
        }
        Json.send(res, body(e, requestId));
    }

    static Map<String, Object> body(ApiException e, String requestId) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        error.put("type", type(e.status()));
        error.put("request_id", requestId);
        return Map.of("error", error);
    }

    static ApiException toApiException(Throwable t) {
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof RequestException re) {
            return fromStatus(re.status().code(), re.getMessage());
        }
        if (t instanceof HttpException he) {
            return fromStatus(he.status().code(), he.getMessage());
        }
        if (t instanceof Database.DatabaseException && t.getCause() instanceof SQLTransientConnectionException) {
            return new ApiException(503, "database_unavailable", "the database is not available; retry later",
                                    java.time.Duration.ofSeconds(5));
        }
        if (t instanceof JedisException) {
            return new ApiException(503, "redis_unavailable", "redis is not available; retry later",
                                    java.time.Duration.ofSeconds(5));
        }
        if (t instanceof UncheckedIOException && tooLarge(t)) {
            return fromStatus(413, null);
        }
        if (truncated(t)) {   // Content-Length promised more bytes than the client sent before closing
            return ApiException.badRequest("incomplete_body", "the request body ended before its declared length");
        }
        return new ApiException(500, "internal_error", "internal server error");
    }

    /**
     * A write to a client that closed its connection: not our failure, nothing left to answer. An
     * I/O error counts only once the response has started; before that it is ours (a database or
     * file failure) and the client gets its 500.
     */
    static boolean isClientGone(Throwable t, ServerResponse res) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ServerConnectionException || (res.isSent() && c instanceof java.io.IOException)) {
                return true;
            }
        }
        return false;
    }

    static ApiException fromStatus(int status, String message) {
        return switch (status) {
            case 413 -> new ApiException(413, "payload_too_large", "request body exceeds the server's max-payload-size");
            case 404 -> ApiException.notFound("no such endpoint");
            case 405 -> new ApiException(405, "method_not_allowed", "method not allowed on this endpoint");
            case 400 -> ApiException.badRequest("bad_request", message == null ? "bad request" : safe(message));
            default -> new ApiException(status, status >= 500 ? "internal_error" : "bad_request",
                                        status >= 500 ? "internal server error" : safe(message));
        };
    }

    static boolean truncated(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof io.helidon.common.buffers.DataReader.InsufficientDataAvailableException) {
                return true;
            }
        }
        return false;
    }

    private static boolean tooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RequestException re && re.status().code() == 413) {
                return true;
            }
        }
        return false;
    }

    /** Helidon's messages can echo request bytes; keep them short and printable. */
    private static String safe(String message) {
        if (message == null) {
            return "bad request";
        }
        String s = message.replaceAll("[^\\x20-\\x7E]", "?");
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static String type(int status) {
        if (status == 401) {
            return "authentication_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
}
