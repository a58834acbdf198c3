package io.sluice.scenes;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** A prompt with {{variables}}. Rendering with a variable missing is a 400 that names every missing one. */
public record Template(String text) {
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
        Set<String> missing = new LinkedHashSet<>(variables());
        missing.removeAll(values.keySet());
        if (!missing.isEmpty()) {
            throw ApiException.badRequest(ErrorCode.MISSING_VARIABLES, "missing template variable(s): " + String.join(", ", missing));
        }
        return VARIABLE.matcher(text).replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1))));
    }
}
