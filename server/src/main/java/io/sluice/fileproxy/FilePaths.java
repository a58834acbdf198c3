package io.sluice.fileproxy;

import java.util.Locale;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * Checks the raw (still percent-encoded) request path of {@code /files/{origin}/{path}} before anything
 * decodes or normalises it. Only plain segments pass: no {@code .} or {@code ..} segment, no encoded
 * dot, slash, backslash or NUL (%2e, %2f, %5c, %00), no backslash, no control character, no empty
 * segment. What passes is appended to the origin's base URL as it came (already encoded), so the
 * origin sees exactly the path that was checked and it cannot climb above the base.
 */
final class FilePaths {
    static final String PREFIX = "/files/";

    private FilePaths() {
    }

    /** A checked request: the origin's name and the raw relative path under its base. */
    record Target(String origin, String path) {
    }

    static Target parse(String rawPath) {
        if (!rawPath.startsWith(PREFIX)) {
            throw bad("a file path is /files/{origin}/{path}");
        }
        String rest = rawPath.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw bad("a file path is /files/{origin}/{path}");
        }
        String origin = rest.substring(0, slash);
        if (!origin.matches("[a-z0-9_-]+")) {
            throw bad("the origin name may hold only a-z, 0-9, '-' and '_'");
        }
        String path = rest.substring(slash + 1);
        check(path);
        return new Target(origin, path);
    }

    /** Throws 400 for any traversal or smuggling attempt in a raw relative path. */
    static void check(String path) {
        for (int i = 0; i < path.length(); i++) {
            char ch = path.charAt(i);
            if (ch == '\\' || ch < 0x20 || ch == 0x7f) {
                throw bad("backslashes and control characters are not allowed in a file path");
            }
        }
        String lower = path.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2e", "%2f", "%5c", "%00", "%25"}) {
            if (lower.contains(encoded)) {
                throw bad("encoded '.', '/', '\\', '%' or NUL (" + encoded + ") is not allowed in a file path");
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw bad("empty, '.' and '..' segments are not allowed in a file path");
            }
        }
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest(ErrorCode.INVALID_PATH, message);
    }
}
