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
                                    ServerResponseHeaders responseHeaders, String message) {
        ApiException e = ErrorMapper.fromStatus(defaultStatus.code(), message);
        return TransportResponse.builder()
                .status(defaultStatus)
                .headers(responseHeaders)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .entity(Json.write(ErrorMapper.body(e, RequestId.from(null).value())))
                .build();
    }
}
