package io.sluice.scenes;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * A prompt with {{variables}}. Rendering with a variable missing is a 400 that names every missing
 * one. A template may use a variable many times, so a small request could ask for a huge prompt
 * (100,000 uses of a 10 KB value is a billion characters): the rendered length is computed from the
 * template and the values before anything is built, and a prompt over the limit is a 400.
 */
public record Template(String text) {
    /** Longest prompt {@link #render(Map)} builds; the chat validator then applies llm.max-content-chars. */
    public static final int MAX_RENDERED = 1_000_000;
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    public Set<String> variables() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    public String render(Map<String, String> values) {
        return render(values, MAX_RENDERED);
    }

    /** The prompt with every variable replaced; 400 {@code content_too_large} if it would exceed {@code maxChars}. */
    public String render(Map<String, String> values, int maxChars) {
        Set<String> missing = new LinkedHashSet<>(variables());
        missing.removeAll(values.keySet());
        if (!missing.isEmpty()) {
            throw ApiException.badRequest(ErrorCode.MISSING_VARIABLES, "missing template variable(s): " + String.join(", ", missing));
        }
        long size = renderedLength(values);
        if (size > maxChars) {
            throw ApiException.badRequest(ErrorCode.CONTENT_TOO_LARGE, "the rendered prompt would be " + size
                    + " characters; at most " + maxChars + " allowed (a variable used many times multiplies its value)");
        }
        StringBuilder out = new StringBuilder((int) size);
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Length of the rendered text, in a long: the template without its placeholders, plus each use's value. */
    private long renderedLength(Map<String, String> values) {
        long size = text.length();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            size += values.get(m.group(1)).length() - (m.end() - m.start());
        }
        return size;
    }
}
