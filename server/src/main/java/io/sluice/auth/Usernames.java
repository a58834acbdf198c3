package io.sluice.auth;

import java.util.Locale;
import java.util.regex.Pattern;

/** Usernames are case-insensitive (stored lower-case), 3-64 of a small safe alphabet. */
final class Usernames {
    static final String RULE = "3-64 characters: letters, digits, '.', '_', '-', '@'";
    private static final Pattern VALID = Pattern.compile("[a-z0-9._@-]{3,64}");

    private Usernames() {
    }

    static String normalize(String raw) {
        return raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
    }

    static boolean valid(String normalized) {
        return VALID.matcher(normalized).matches();
    }
}
