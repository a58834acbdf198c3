package io.sluice.audio;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** The fields of a multipart form by name (a repeated field is a 400: which one counts would be a guess). */
record Form(Map<String, Multipart.Part> parts) {
    static Form of(List<Multipart.Part> list) {
        Map<String, Multipart.Part> parts = new LinkedHashMap<>();
        for (Multipart.Part p : list) {
            if (parts.putIfAbsent(p.name(), p) != null) {
                throw ApiException.badRequest(ErrorCode.INVALID_REQUEST, p.name() + ": given more than once");
            }
        }
        return new Form(parts);
    }

    Multipart.Part part(String name) {
        return parts.get(name);
    }

    /** A text field, trimmed; null when absent or empty; 400 when longer than {@code max} or carrying a NUL. */
    String text(String name, int max) {
        Multipart.Part p = parts.get(name);
        if (p == null) {
            return null;
        }
        String raw = p.text();
        if (raw.indexOf('\0') >= 0) {   // as in a JSON field (checked before trim(), which would drop a NUL at either end)
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + ": must not contain NUL characters");
        }
        String v = raw.trim();
        if (v.length() > max) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, name + ": at most " + max + " characters");
        }
        return v.isEmpty() ? null : v;
    }
}
