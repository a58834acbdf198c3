package io.sluice.http;

import java.util.UUID;
import java.util.regex.Pattern;

import io.helidon.webserver.http.ServerRequest;

/** The id that ties a request's log line, error body and X-Request-Id header together. */
public record RequestId(String value) {
    public static final String HEADER = "X-Request-Id";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Keeps a caller's id when it is short and harmless, otherwise makes a new one. */
    public static RequestId from(String incoming) {
        if (incoming != null && SAFE.matcher(incoming).matches()) {
            return new RequestId(incoming);
        }
        return new RequestId(UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    }

    public static String of(ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElse("");
    }
}
