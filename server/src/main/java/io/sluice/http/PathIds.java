package io.sluice.http;

import java.util.UUID;

import io.helidon.webserver.http.ServerRequest;

/**
 * A UUID path parameter. Anything that is not a UUID cannot name a resource, so it is the same 404
 * as a missing one (and as someone else's), not a 400 that would tell ids apart.
 */
public final class PathIds {
    private PathIds() {
    }

    /** The {@code {id}} parameter as a UUID, or a 404 with {@code notFound} saying "no {what} {id}". */
    public static UUID uuid(ServerRequest req, ErrorCode notFound, String what) {
        return uuid(req.path().pathParameters().get("id"), notFound, what);
    }

    static UUID uuid(String raw, ErrorCode notFound, String what) {
        try {
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw notFound(notFound, what, raw);
        }
    }

    /** The 404 for an id that names nothing the caller may see. */
    public static ApiException notFound(ErrorCode code, String what, Object id) {
        // Only an id's own characters are echoed: no markup, quotes or control bytes reach the body.
        String echoed = Text.clip(String.valueOf(id), 40).replaceAll("[^A-Za-z0-9.-]", "?");
        return ApiException.notFound(code, "no " + what + " " + echoed);
    }
}
