package io.sluice.security;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;

/** Random and mutated requests an HTTP client can still send. */
final class Mutations {
    static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "TRACE", "PROPFIND"};
    static final String[] PATHS = {
            "/v1/models", "/v1/chat/completions", "/v1/sessions", "/v1/sessions/%s", "/v1/sessions/%s/messages",
            "/v1/sessions/%s/chat", "/v1/tasks", "/v1/tasks/%s", "/v1/tasks/%s?wait=%s", "/api/auth/login",
            "/api/auth/register", "/api/auth/verify", "/api/auth/logout", "/api/keys", "/api/keys/%s",
            "/api/llmchat/prompts", "/api/llmchat/prompts/%s", "/api/llmchat/prompts/%s/api", "/api/llmchat/tasks/%s",
            "/diag/echo", "/health", "/metrics", "/observe/health/ready", "/%s", "/v1/%s/../../etc/passwd"};
    static final String[] NASTY = {
            "' OR '1'='1", "1; DROP TABLE users;--", "../../../../etc/passwd", "..%2f..%2f", "%00", "\u0000",
            "<script>alert(1)</script>", "${jndi:ldap://x/a}", "{{7*7}}", "\u202e\u0000\uFFFF", "😀", "-1", "9".repeat(400),
            "null", "true", "[]", "{}", UUID.randomUUID().toString(), "a".repeat(5000)};
    static final String[] TYPES = {"application/json", "text/plain", "application/json; charset=latin1",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json;;;"};

    private Mutations() {
    }

    static HttpRequest.Builder request(Random r, String base, String key, String secret) {
        String template = PATHS[r.nextInt(PATHS.length)];
        String path = template.formatted(enc(pick(r)), enc(pick(r)));
        URI uri;
        try {
            uri = URI.create(base.substring(0, base.length() - 1) + path);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String method = METHODS[r.nextInt(METHODS.length)];
        byte[] body = body(r, secret);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 && r.nextBoolean() ? HttpRequest.BodyPublishers.noBody()
                                                                     : HttpRequest.BodyPublishers.ofByteArray(body));
        String type = TYPES[r.nextInt(TYPES.length)];
        if (!type.isEmpty()) {
            b.header("Content-Type", type);
        }
        switch (r.nextInt(6)) {
            case 0, 1, 2 -> b.header("Authorization", "Bearer " + key);
            case 3 -> b.header("Authorization", "Bearer " + secret);
            case 4 -> b.header("Authorization", r.nextBoolean() ? "Basic " + secret : "Bearer eyJhbGciOiJub25lIn0." + secret + ".");
            default -> { }
        }
        if (r.nextInt(10) == 0) {
            b.header("X-Junk", "x".repeat(r.nextInt(20_000)));
        }
        if (r.nextInt(10) == 0) {
            b.header("session-id", pick(r).replaceAll("[^\\x20-\\x7e]", "?"));
        }
        return b;
    }

    private static byte[] body(Random r, String secret) {
        return switch (r.nextInt(12)) {
            case 0 -> new byte[0];
            case 1 -> ("{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"" + pick(r).replace("\"", "")
                       + "\"}],\"max_tokens\":3}").getBytes(StandardCharsets.UTF_8);
            case 2 -> ("{\"username\":\"" + pick(r).replace("\"", "") + "\",\"password\":\"" + secret + "\"}").getBytes(StandardCharsets.UTF_8);
            case 3 -> ("[".repeat(r.nextInt(2000)) + "]".repeat(r.nextInt(2000))).getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"a\":" + "{\"a\":".repeat(r.nextInt(100))).getBytes(StandardCharsets.UTF_8);
            case 5 -> new byte[] {'{', '"', 'x', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
            case 6 -> random(r, r.nextInt(3000));
            case 7 -> ("{\"scene\":\"" + pick(r).replace("\"", "") + "\",\"template\":\"{{x}}\",\"model\":\"sluice-sim\"}").getBytes(StandardCharsets.UTF_8);
            case 8 -> ("{\"message\":" + (r.nextBoolean() ? "123" : "\"hi\"") + ",\"stream\":" + r.nextBoolean() + "}").getBytes(StandardCharsets.UTF_8);
            case 9 -> ("{\"model\":1e999999,\"messages\":\"" + "9".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
            case 10 -> ("{\"title\":\"" + pick(r).replace("\"", "") + "\",\"user\":[1,2]}").getBytes(StandardCharsets.UTF_8);
            default -> "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"system\"}],\"stream\":true}".getBytes(StandardCharsets.UTF_8);
        };
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static String pick(Random r) {
        return NASTY[r.nextInt(NASTY.length)];
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("%2F", "/").replace("%2E", ".");
    }
}
