package io.sluice.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import io.helidon.common.buffers.DataReader;
import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.infra.Database;
import io.sluice.infra.DatabaseFailures;
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
    private static final Duration RETRY = Duration.ofSeconds(5);

    @Override
    public void handle(ServerRequest req, ServerResponse res, Throwable t) {
        Mapped mapped = map(t, res.isSent());
        ApiException e = req.context().get(RequestDeadline.class)
                .filter(RequestDeadline::expired)
                .map(g -> new ApiException(ErrorCode.DEADLINE_EXCEEDED,
                        "request exceeded the server's deadline of " + g.deadline().toSeconds() + " s"))
                .orElse(mapped.error());
        String requestId = RequestId.of(req);
        if (e.status() == 500 && mapped.clientGone()) {
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
        send(req, res, e, requestId);
    }

    /**
     * Writes the JSON error for an ApiException; used by filters that answer without throwing. A HEAD gets the
     * same status and headers (Content-Length: the body's) and no body: Helidon writes whatever entity it is
     * given, and a body after a HEAD answer would be read by a keep-alive client as the next answer.
     */
    public static void send(ServerRequest req, ServerResponse res, ApiException e, String requestId) {
        res.status(Status.create(e.status()));
        if (e.retryAfter() != null) {
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
        }
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        byte[] body = body(e, requestId);
        if (req.prologue().method() == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, String.valueOf(body.length));
            res.send();
        } else {
            res.send(body);
        }
    }

    /**
     * {@code {"error":{"code","message","type","request_id"}}}, written with Jackson's generator: the
     * same bytes as serialising a map, without the serializer look-ups (a burst of 503s under
     * overload is many of these at once, and each one delays the next).
     */
    static byte[] body(ApiException e, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.getMessage());
            g.writeStringField("type", e.type());
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x);   // a byte array does not fail
        }
        return out.toByteArray();
    }

    /**
     * What a failure means for the client; whether the client had already gone (asked only when
     * nothing else explains it); whether the request's bytes ended early.
     */
    record Mapped(ApiException error, boolean clientGone, boolean truncated) {
    }

    static ApiException toApiException(Throwable t) {
        return map(t, false).error();
    }

    /** True when the client's request ended before its declared length (anywhere in the chain). */
    static boolean truncated(Throwable t) {
        return map(t, false).truncated();
    }

    /**
     * The one walk down the cause chain: the outermost cause that explains the failure wins. An I/O
     * error means the client went away only once the response has started; before that it is ours
     * (a database or file failure) and the client gets its 500. Helidon's CloseConnectionException
     * (its ServerConnectionException included) means the connection is being closed: the client left,
     * or a response that had started cannot be finished; nothing more can reach the client.
     */
    static Mapped map(Throwable t, boolean responseStarted) {
        ApiException error = null;
        boolean clientGone = false;
        boolean truncated = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (error == null) {
                error = explain(c);
            }
            clientGone |= c instanceof CloseConnectionException || (responseStarted && c instanceof IOException);
            truncated |= c instanceof DataReader.InsufficientDataAvailableException;
        }
        if (error == null) {
            error = truncated   // Content-Length promised more bytes than the client sent before closing
                    ? new ApiException(ErrorCode.INCOMPLETE_BODY, "the request body ended before its declared length")
                    : new ApiException(ErrorCode.INTERNAL_ERROR, "internal server error");
        }
        return new Mapped(error, clientGone, truncated);
    }

    private static ApiException explain(Throwable c) {
        return switch (c) {
            case ApiException api -> api;
            case RequestException re -> fromStatus(re.status().code(), re.getMessage());   // 413 from max-payload-size too
            case HttpException he -> fromStatus(he.status().code(), he.getMessage());
            case Database.DatabaseException db when DatabaseFailures.unavailable(db) ->
                    new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "the database is not available; retry later", RETRY);
            case JedisException je -> new ApiException(ErrorCode.REDIS_UNAVAILABLE, "redis is not available; retry later", RETRY);
            default -> null;
        };
    }

    static ApiException fromStatus(int status, String message) {
        return switch (status) {
            case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds the server's max-payload-size");
            case 404 -> new ApiException(ErrorCode.NOT_FOUND, "no such endpoint");
            case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this endpoint");
            default -> status >= 500
                    ? new ApiException(status, ErrorCode.INTERNAL_ERROR.code(), "internal server error")
                    // Helidon's messages can echo request bytes: printable and short
                    : new ApiException(status, ErrorCode.BAD_REQUEST.code(), message == null ? "bad request" : Text.clip(message, 200));
        };
    }
}
