package io.sluice.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.http.HttpDsl.http;

/**
 * What every simulation reads: the base URL ({@code -Dsluice.url} or {@code SLUICE_URL}, default
 * http://127.0.0.1:8080) and its knobs as system properties ({@code -Drate=20 -Dduration=2m}), so
 * that one simulation can run for seconds in a check or for hours in a soak.
 */
final class Load {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private Load() {
    }

    static String baseUrl() {
        String url = System.getProperty("sluice.url");
        if (url == null || url.isBlank()) {
            url = System.getenv("SLUICE_URL");
        }
        return url == null || url.isBlank() ? "http://127.0.0.1:8080" : url.replaceAll("/+$", "");
    }

    static String str(String name, String def) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    static int integer(String name, int def) {
        String v = str(name, null);
        try {
            return v == null ? def : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be an integer, got '" + v + "'");
        }
    }

    static double number(String name, double def) {
        String v = str(name, null);
        try {
            return v == null ? def : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number, got '" + v + "'");
        }
    }

    static boolean bool(String name, boolean def) {
        String v = str(name, null);
        return v == null ? def : Boolean.parseBoolean(v);
    }

    /** 500ms, 30s, 2m, 1h; a bare number is seconds. */
    static Duration duration(String name, String def) {
        String v = str(name, def).toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("-D" + name + " must be a duration like 500ms, 30s, 2m or 1h, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    static String model() {
        return str("model", "sluice-sim");
    }

    /** An OpenAI chat request; {@code -Dprompt} and {@code -Dmax.tokens} shape it. */
    static String chatBody(boolean stream) {
        int maxTokens = integer("max.tokens", 0);
        return "{\"model\":\"" + model() + "\",\"stream\":" + stream
                + (maxTokens > 0 ? ",\"max_tokens\":" + maxTokens : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt() + "\"}]}";
    }

    static String prompt() {
        return str("prompt", "Say something short about rivers.").replace("\\", "\\\\").replace("\"", "\\\"");
    }

    static HttpProtocolBuilder protocol() {
        HttpProtocolBuilder p = http.baseUrl(baseUrl())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                .userAgentHeader("sluice-loadtest")
                .disableWarmUp();
        String key = str("api.key", System.getenv("SLUICE_API_KEY"));
        return key == null || key.isBlank() ? p : p.authorizationHeader("Bearer " + key);
    }

    /** Admission limits as the server reports them in GET /metrics, or the defaults when it cannot be asked. */
    record Limits(int requests, int streams, long queueTimeoutMs) {
        static Limits fetch() {
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                String b = res.body();
                return new Limits((int) field(b, "max_concurrent_requests"), (int) field(b, "max_concurrent_streaming"),
                        field(b, "queue_timeout_ms"));
            } catch (Exception e) {
                System.err.println("could not read limits from " + baseUrl() + "/metrics (" + e.getMessage()
                        + "); assuming the defaults 50/20, queue timeout 2s");
                return new Limits(50, 20, 2000);
            }
        }

        private static long field(String json, String name) {
            Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
            if (!m.find()) {
                throw new IllegalStateException("no " + name + " in /metrics");
            }
            return Long.parseLong(m.group(1));
        }
    }

    /** A loop's counter, 0 before the loop has set it. */
    static int counter(io.gatling.javaapi.core.Session s, String name) {
        return s.contains(name) ? s.getInt(name) : 0;
    }

    /** One line at start saying what this run does, so a report can be read without the command line. */
    static void banner(String simulation, String settings) {
        System.out.println("== " + simulation + " against " + baseUrl() + ": " + settings);
    }
}
