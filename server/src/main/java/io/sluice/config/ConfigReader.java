package io.sluice.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.config.Config;

/**
 * Reads typed values from a config node and fails with the key's full name and the bad value,
 * so a start-up error says exactly what to fix.
 */
public final class ConfigReader {
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    private final Config root;

    public ConfigReader(Config root) {
        this.root = root;
    }

    /** Thrown for a missing or invalid setting; the message names the key and the value. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String key, String value, String problem) {
            super("invalid configuration: " + key + " = '" + value + "': " + problem);
        }
    }

    public String string(String key) {
        return raw(key);
    }

    public String oneOf(String key, Set<String> allowed) {
        String v = raw(key).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new InvalidConfigException(key, v, "must be one of " + allowed);
        }
        return v;
    }

    public boolean bool(String key) {
        String v = raw(key).trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new InvalidConfigException(key, v, "must be true or false");
        };
    }

    public int intAtLeast(String key, int min) {
        String v = raw(key).trim();
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, v, "not an integer");
        }
        if (n < min) {
            throw new InvalidConfigException(key, v, "must be >= " + min);
        }
        return n;
    }

    /** A positive duration: 250ms, 5s, 2m, 1h, 1d or ISO-8601 (PT5S). */
    public Duration duration(String key) {
        String v = raw(key).trim();
        Duration d = parseDuration(v);
        if (d == null) {
            throw new InvalidConfigException(key, v, "not a duration (use 250ms, 5s, 2m, 1h or ISO-8601 like PT5S)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new InvalidConfigException(key, v, "must be positive");
        }
        return d;
    }

    /** A size in bytes: 1048576, 512KB, 10MB, 1GB. */
    public long size(String key) {
        String v = raw(key).trim();
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new InvalidConfigException(key, v, "not a size (use 1048576, 512KB, 10MB, 1GB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        return switch (unit) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            default -> n;
        };
    }

    public boolean exists(String key) {
        return root.get(key).exists();
    }

    /** The value, or {@code def} when the key is absent. */
    public String stringOr(String key, String def) {
        return root.get(key).asString().orElse(def);
    }

    /**
     * The entry names of a map section ({@code llm.providers}, {@code bulkheads}, ...), in file order.
     * Sections are maps keyed by a simple name, not YAML lists, so an environment variable such as
     * {@code LLM_PROVIDERS_OPENAI_API_dash_KEY} can set or add one: Helidon cannot merge an
     * index-keyed override into a YAML list.
     */
    public List<String> names(String key) {
        Config node = root.get(key);
        if (!node.exists()) {
            return List.of();
        }
        List<Config> children = node.asNodeList()
                .orElseThrow(() -> new InvalidConfigException(key, "", "must be a map of named entries"));
        for (Config child : children) {
            if (!NAME.matcher(child.name()).matches()) {
                throw new InvalidConfigException(key + "." + child.name(), child.name(),
                        "a name must be lower-case letters, digits, '-' or '_' (put a model's public name in `name:`)");
            }
        }
        return children.stream().map(Config::name).toList();
    }

    public static Duration parseDuration(String v) {
        Matcher m = SIMPLE_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private String raw(String key) {
        Config node = root.get(key);
        if (!node.exists()) {
            throw new InvalidConfigException(key, "", "missing");
        }
        return node.asString().orElseThrow(() -> new InvalidConfigException(key, "", "must be a single value"));
    }
}
