package io.sluice.http;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/** The id that ties a request's log line, error body and X-Request-Id header together. */
public record RequestId(String value) {
    public static final String HEADER = "X-Request-Id";
    public static final HeaderName HEADER_NAME = HeaderNames.create(HEADER);
    private static final HexFormat HEX = HexFormat.of();

    /** Keeps a caller's id when it is short and harmless, otherwise makes a new one. */
    public static RequestId from(String incoming) {
        if (incoming != null && safe(incoming)) {
            return new RequestId(incoming);
        }
        // 64 random bits as 16 hex digits: unique enough to find a line, and no SecureRandom lock
        // and /dev/urandom read per request (UUID.randomUUID), since the id is not a secret.
        return new RequestId(HEX.toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    /** {@code [A-Za-z0-9._:-]{1,64}}, without a regex per request. */
    static boolean safe(String s) {
        int n = s.length();
        if (n == 0 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public static String of(ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElse("");
    }
}
