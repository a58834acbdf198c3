package io.sluice.http;

import java.time.Duration;

import io.helidon.webserver.http.ServerRequest;
import io.sluice.config.ConfigReader;

/** Query parameters with a 400 {@code invalid_parameter} that names the parameter. */
public final class Query {
    private Query() {
    }

    /** {@code ?name=true|false} (any case); absent gives {@code absent}; anything else is a 400. */
    public static boolean flag(ServerRequest req, String name, boolean absent) {
        String v = req.query().first(name).orElse(null);
        return v == null ? absent : flag(name, v);
    }

    static boolean flag(String name, String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be true or false, got '" + Text.clip(v, 40) + "'");
    }

    /** An integer parameter within [min, max]; absent gives {@code absent}. */
    public static long integer(ServerRequest req, String name, long absent, long min, long max) {
        String v = req.query().first(name).orElse(null);
        return v == null ? absent : integer(name, v, min, max);
    }

    static long integer(String name, String v, long min, long max) {
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // too long, not a number: the same 400
        }
        throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be an integer from " + min + " to " + max
                + ", got '" + Text.clip(v, 40) + "'");
    }

    /**
     * A non-negative duration ({@code 30s}, {@code 500ms}, a bare number of seconds); absent gives
     * null. Values too large for a Duration are the same 400 as malformed ones, never an overflow.
     */
    public static Duration duration(ServerRequest req, String name) {
        String v = req.query().first(name).orElse(null);
        return v == null ? null : duration(name, v);
    }

    static Duration duration(String name, String v) {
        Duration d;
        try {
            d = ConfigReader.parseDuration(v.matches("\\d{1,19}") ? v + "s" : v);
        } catch (ArithmeticException | java.time.DateTimeException | NumberFormatException e) {
            d = null;   // 99999999999999999999s, PT9999999999999999H: out of range
        }
        if (d == null || d.isNegative()) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + " must be a duration like 30s or 500ms, got '"
                    + Text.clip(v, 40) + "'");
        }
        return d;
    }
}
