package io.sluice.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Errors Helidon answers before routing (a body over max-payload-size, a malformed request line or
 * header, an oversize header block) get the same JSON error body as everything else.
 */
public final class JsonDirectHandler implements DirectHandler {
    /** Helidon's HTTP/1 header parser throws an IllegalStateException with this text; it answers 400 by default. */
    private static final String HELIDON_HEADER_LIMIT = "Header size exceeded";
    private static final String TOO_LARGE = "request headers exceed the server's max-headers-size";
    private static final Status HEADERS_TOO_LARGE_431 = Status.create(431, "Request Header Fields Too Large");

    public static DirectHandlers all() {
        DirectHandlers.Builder b = DirectHandlers.builder();
        JsonDirectHandler handler = new JsonDirectHandler();
        for (EventType type : EventType.values()) {
            b.addHandler(type, handler);
        }
        return b.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, Throwable thrown, System.Logger logger) {
        if (ErrorMapper.truncated(thrown)) {
            // The client closed (or was cut off by the header deadline) before its headers were complete:
            // a bad request, not a server error, and not worth a stack trace in the log.
            return handle(request, eventType, Status.BAD_REQUEST_400, responseHeaders, "request ended before its headers were complete");
        }
        if (headersTooLarge(thrown)) {
            return handle(request, eventType, HEADERS_TOO_LARGE_431, responseHeaders, TOO_LARGE);
        }
        return DirectHandler.super.handle(request, eventType, defaultStatus, responseHeaders, thrown, logger);
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, Throwable thrown) {
        if (ErrorMapper.truncated(thrown)) {
            return handle(request, eventType, Status.BAD_REQUEST_400, responseHeaders, "request ended before its headers were complete");
        }
        if (headersTooLarge(thrown)) {
            return handle(request, eventType, HEADERS_TOO_LARGE_431, responseHeaders, TOO_LARGE);
        }
        return DirectHandler.super.handle(request, eventType, defaultStatus, responseHeaders, thrown);
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        Status status = defaultStatus;
        if (message != null && message.contains(HELIDON_HEADER_LIMIT)) {
            status = HEADERS_TOO_LARGE_431;
            message = TOO_LARGE;
        }
        if (eventType == EventType.INTERNAL_ERROR) {
            // Before routing, Helidon's only input is the client's bytes, and it reports a header block
            // cut short (client closed, or the header deadline closed it) as an internal error with no
            // cause attached. Answer 400; Helidon still logs the exception, so a real bug stays visible.
            status = Status.BAD_REQUEST_400;
            message = "malformed or incomplete request";
        }
        ApiException e = ErrorMapper.fromStatus(status.code(), message);
        return TransportResponse.builder()
                .status(status)
                .headers(responseHeaders)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(HeaderValues.create("X-Content-Type-Options", "nosniff"))
                .header(HeaderValues.create("X-Frame-Options", "DENY"))
                .header(HeaderValues.create("Referrer-Policy", "no-referrer"))
                .header(HeaderValues.create("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"))
                .header(HeaderValues.create("Cache-Control", "no-store"))
                .entity(new String(ErrorMapper.body(e, RequestId.from(null).value()), java.nio.charset.StandardCharsets.UTF_8))
                .build();
    }

    /** True when the header block was over the limit (RFC 6585: 431, not 400). */
    static boolean headersTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(HELIDON_HEADER_LIMIT)) {
                return true;
            }
        }
        return false;
    }
}
