package io.sluice.security;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;
import io.sluice.support.OriginSimulator;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every route, every body field, every query parameter and every path id, each replaced by what a
 * hostile client sends: a NUL character, numbers that overflow 64 bits or a double, negative
 * numbers, every wrong JSON type, deep nesting, huge strings, and a NUL in a field name. No answer
 * is a 5xx; every refusal is a JSON error with a code and a message; a NUL or an overflowing number
 * is a 400 whose message names the field (by its path, e.g. {@code messages[0].content}) or the
 * parameter. Run as an admin's API key, so no route refuses before it reads its input. The multipart
 * transcription form gets the same treatment field by field ({@link #transcriptionForm}); the file proxy
 * runs against a real origin, whose own 404 for a file it lacks is relayed as it came.
 */
class FieldFuzzTest {
    private static final String PASSWORD = "Fuzz-fields-" + UUID.randomUUID();

    /** A route: method, path ({@code {id}} is filled in), a valid body (or null) and its query parameters. */
    record Route(String method, String path, String body, List<String> params) {
    }

    private static final String CHAT = "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"there\"}]}],\"max_tokens\":3,\"stream\":false,"
            + "\"stream_options\":{\"include_usage\":true},\"user\":\"u\",\"temperature\":0.5,\"n\":1}";

    private static final String HOSTS = "\"hosts\":[{\"name\":\"Ana\",\"voice\":\"alloy\"},{\"name\":\"Ben\",\"voice\":\"echo\"}]";

    private static List<Route> routes(String session, String task, String scene, String key, String podcast) {
        return List.of(
                new Route("POST", "/api/auth/register", "{\"username\":\"fz-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"password\":\"" + PASSWORD + "\"}", List.of()),
                new Route("POST", "/api/auth/login", "{\"username\":\"nobody\",\"password\":\"" + PASSWORD + "\"}", List.of()),
                new Route("POST", "/api/auth/logout", null, List.of()),
                new Route("GET", "/api/auth/verify", null, List.of()),
                new Route("POST", "/api/keys", "{\"name\":\"k\"}", List.of()),
                new Route("GET", "/api/keys", null, List.of()),
                new Route("GET", "/api/keys/{id}", null, List.of()),
                new Route("DELETE", "/api/keys/{id}", null, List.of()),
                new Route("POST", "/v1/chat/completions", CHAT, List.of()),
                new Route("GET", "/v1/models", null, List.of()),
                new Route("GET", "/v1/models/{id}", null, List.of()),
                new Route("POST", "/v1/sessions", "{\"title\":\"t\",\"system_prompt\":\"s\",\"model\":\"sluice-sim\",\"user\":\"u\"}",
                          List.of()),
                new Route("GET", "/v1/sessions/" + session, null, List.of()),
                new Route("GET", "/v1/sessions/{id}", null, List.of()),
                new Route("DELETE", "/v1/sessions/{id}", null, List.of()),
                new Route("GET", "/v1/sessions/" + session + "/messages", null, List.of("limit", "before")),
                new Route("GET", "/v1/sessions/{id}/messages", null, List.of("limit", "before")),
                new Route("POST", "/v1/sessions/" + session + "/chat", "{\"message\":\"hi\",\"stream\":false,\"max_tokens\":3}",
                          List.of("sync")),
                new Route("POST", "/v1/sessions/{id}/chat", "{\"message\":\"hi\"}", List.of("sync")),
                new Route("POST", "/v1/tasks", CHAT, List.of()),
                new Route("GET", "/v1/tasks/" + task, null, List.of("wait")),
                new Route("GET", "/v1/tasks/{id}", null, List.of("wait")),
                new Route("DELETE", "/v1/tasks/{id}", null, List.of()),
                new Route("POST", "/api/llmchat/prompts", "{\"scene\":\"fz-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"template\":\"Say {{x}}\",\"system\":\"sys\",\"model\":\"sluice-sim\",\"params\":{\"temperature\":0.1,"
                        + "\"max_tokens\":3}}", List.of()),
                new Route("GET", "/api/llmchat/prompts", null, List.of()),
                new Route("GET", "/api/llmchat/prompts/{id}", null, List.of()),
                new Route("PUT", "/api/llmchat/prompts/" + scene, "{\"template\":\"Say {{x}}\",\"system\":\"sys\",\"model\":\"sluice-sim\","
                        + "\"params\":{\"max_tokens\":3}}", List.of()),
                new Route("DELETE", "/api/llmchat/prompts/{id}", null, List.of()),
                new Route("POST", "/api/llmchat/prompts/" + scene + "/api", "{\"variables\":{\"x\":\"hi\"}}", List.of("sync")),
                new Route("POST", "/api/llmchat/prompts/{id}/api", "{\"x\":\"hi\"}", List.of("sync")),
                new Route("GET", "/api/llmchat/tasks/{id}", null, List.of()),
                new Route("POST", "/v1/embeddings", "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"hi\",\"there\"],"
                        + "\"encoding_format\":\"float\"}", List.of()),
                new Route("POST", "/v1/embeddings", "{\"model\":\"all-minilm-l6-v2\",\"input\":\"hi\",\"encoding_format\":\"base64\"}",
                          List.of()),
                new Route("GET", "/v1/usage", null, List.of("from", "to", "user_id", "key_id", "format")),
                new Route("GET", "/api/cache", null, List.of()),
                new Route("POST", "/api/cache/scenes/invalidate", "{\"key\":\"fz-none\"}", List.of()),
                new Route("POST", "/api/cache/scenes/invalidate", "{\"prefix\":\"fz-none\"}", List.of()),
                new Route("POST", "/api/cache/{id}/invalidate", "{\"prefix\":\"fz-none\"}", List.of()),
                new Route("GET", "/files/media/small.bin", null, List.of()),
                new Route("GET", "/files/{id}/small.bin", null, List.of()),
                new Route("GET", "/files/media/{id}", null, List.of()),
                new Route("HEAD", "/files/media/{id}", null, List.of()),
                new Route("POST", "/v1/audio/speech", "{\"model\":\"sluice-tts\",\"input\":\"Hi\",\"voice\":\"alloy\","
                        + "\"response_format\":\"wav\",\"speed\":1.0}", List.of()),
                new Route("POST", "/v1/podcasts", "{\"script\":\"Ana: Hi.\\nBen: Bye.\",\"lines\":2,\"model\":\"sluice-sim\","
                        + HOSTS + "}", List.of()),
                new Route("POST", "/v1/podcasts", "{\"topic\":\"tea\",\"lines\":2,\"model\":\"sluice-sim\"," + HOSTS + "}", List.of()),
                new Route("GET", "/v1/podcasts", null, List.of("limit", "after")),
                new Route("GET", "/v1/podcasts/" + podcast, null, List.of()),
                new Route("GET", "/v1/podcasts/{id}", null, List.of()),
                new Route("GET", "/v1/podcasts/{id}/events", null, List.of()),
                new Route("GET", "/v1/podcasts/{id}/audio", null, List.of()),
                new Route("HEAD", "/v1/podcasts/{id}/audio", null, List.of()),
                new Route("DELETE", "/v1/podcasts/{id}", null, List.of()),
                new Route("PATCH", "/api/keys/" + key, "{\"name\":\"n\",\"models\":[\"sluice-*\"],\"expires_at\":\"2099-01-01T00:00:00Z\","
                        + "\"rpm\":600,\"tpm\":100000,\"metadata\":{\"team\":\"fz\"},\"disabled\":false,"
                        + "\"budget\":{\"period\":\"monthly\",\"limit\":100,\"soft_limit\":80}}", List.of()),
                new Route("PATCH", "/api/keys/{id}", "{\"name\":\"n\"}", List.of()),
                new Route("DELETE", "/api/keys/" + key, null, List.of()),   // last: the key under test is gone after it
                new Route("POST", "/diag/echo", "{\"a\":{\"b\":[1,\"x\"]}}", List.of()),
                new Route("GET", "/diag/sleep", null, List.of("ms")),
                new Route("GET", "/health", null, List.of()),
                new Route("GET", "/metrics", null, List.of()));
    }

    /** Hostile values; {@code names} says whether the answer must be a 400 naming the field. */
    record Value(String json, boolean names, String what) {
    }

    private static final List<Value> VALUES = List.of(
            new Value("\"a\\u0000b\"", true, "NUL"),
            new Value("\"\\u0000\"", true, "only NUL"),
            new Value("99999999999999999999", true, "integer beyond 64 bits"),
            new Value("-99999999999999999999", true, "negative integer beyond 64 bits"),
            new Value("1e400", true, "double overflow"),
            new Value("-1e400", true, "negative double overflow"),
            new Value("[\"ok\",{\"deeper\":\"x\\u0000\"}]", true, "NUL nested in the field"),
            new Value("-1", false, "negative"),
            new Value("-9223372036854775808", false, "long min"),
            new Value("9223372036854775807", false, "long max"),
            new Value("2147483648", false, "int max + 1"),
            new Value("0", false, "zero"),
            new Value("1.5", false, "fraction"),
            new Value("true", false, "boolean"),
            new Value("null", false, "null"),
            new Value("[]", false, "array"),
            new Value("{}", false, "object"),
            new Value("\"\"", false, "empty string"),
            new Value("\"\\ud800\"", false, "lone surrogate"),
            new Value("[".repeat(50) + "]".repeat(50), false, "nesting within the limit"),
            new Value("[".repeat(200) + "]".repeat(200), false, "nesting beyond the limit"),
            new Value("\"" + "x".repeat(1_000_000) + "\"", false, "a 1 MB string"));

    private static final List<String> PARAM_VALUES = List.of("%00", "a%00b", "-1", "0", "99999999999999999999", "-99999999999999999999",
            "9223372036854775807", "1e400", "abc", "", "true", "9".repeat(5000), "99999999999999999999s", "9223372036854775807h");
    private static final List<String> IDS = List.of("%00", "a%00b", "99999999999999999999", "-1", "0",
            "00000000-0000-0000-0000-00000000000g", "1-1-1-1-99999999999999999", "ffffffff-ffff-ffff-ffff-ffffffffffffff",
            UUID.randomUUID().toString(), "x".repeat(3000), "..%2F..%2Fetc", "sluice-sim%00");

    @Test
    void everyFieldOfEveryRouteRefusesHostileValuesWithANamedJsonError() throws Exception {
        try (OriginSimulator origin = new OriginSimulator().file("small.bin", 1000);
             TestServer s = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true",
                                                    "auth.login-attempts", "1000000",
                                                    "llm.providers.simulated.latency", "1ms",
                                                    "llm.providers.simulated.tokens-per-second", "100000",
                                                    "llm.providers.simulated.reply-tokens", "3",
                                                    "fileproxy.origins.media.base-url", origin.baseUrl()))) {
            String key = adminKey(s);
            String session = id(call(s, key, "POST", "/v1/sessions", "{\"title\":\"fuzz\",\"model\":\"sluice-sim\"}"), "session_id");
            String task = id(call(s, key, "POST", "/v1/tasks", CHAT), "task_id");
            String scene = "fz-" + UUID.randomUUID().toString().substring(0, 8);
            call(s, key, "POST", "/api/llmchat/prompts", "{\"scene\":\"" + scene + "\",\"template\":\"Say {{x}}\",\"model\":\"sluice-sim\"}");
            String keyId = TestServer.json(call(s, key, "POST", "/api/keys", "{\"name\":\"spare\"}")).path("id").asText();
            String podcast = id(call(s, key, "POST", "/v1/podcasts", "{\"script\":\"Ana: Hi.\",\"" + HOSTS.substring(1) + "}"), "id");

            List<String> failures = new ArrayList<>();
            int sent = 0;
            for (Route r : routes(session, task, scene, keyId, podcast)) {
                if (r.path().contains("{id}")) {
                    for (String id : IDS) {
                        sent++;
                        check(call(s, key, r.method(), r.path().replace("{id}", id), r.body()), r + " id=" + id, null, failures);
                    }
                    continue;
                }
                for (String p : r.params()) {
                    for (String v : PARAM_VALUES) {
                        sent++;
                        check(call(s, key, r.method(), r.path() + "?" + p + "=" + v, r.body()), r + " ?" + p + "=" + v, null, failures);
                    }
                }
                if (r.body() == null) {
                    sent++;
                    check(call(s, key, r.method(), r.path(), "{\"x\":\"a\\u0000\"}"), r + " unexpected body", null, failures);
                    continue;
                }
                for (String[] field : fields(Json.MAPPER.readTree(r.body()), "")) {
                    for (Value v : VALUES) {
                        sent++;
                        String body = replace(r.body(), field[0], v.json());
                        check(call(s, key, r.method(), r.path(), body), r.method() + " " + r.path() + " " + field[0] + "=" + v.what(),
                              v.names() ? field[0] : null, failures);
                    }
                }
                for (String body : new String[] {"{\"k\\u0000\":1}", "[]", "\"x\"", "{}", "{\"a\":" + "[".repeat(80) + "]".repeat(80) + "}"}) {
                    sent++;
                    check(call(s, key, r.method(), r.path(), body), r.method() + " " + r.path() + " body " + body.substring(0, Math.min(12, body.length())),
                          body.contains("\\u0000") ? "k?" : null, failures);
                }
            }
            sent += transcriptionForm(s, key, failures);
            assertTrue(sent > 1500, "only " + sent + " requests");
            assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " bad answers, e.g.\n"
                    + String.join("\n", failures.stream().limit(15).toList()));
            assertTrue(s.get("/observe/health/ready").statusCode() == 200, "healthy afterwards");
        }
    }

    /** Hostile text for a multipart form field; {@code names} as in {@link Value}. */
    private static final List<Value> FORM_VALUES = List.of(
            new Value("a\u0000b", true, "NUL"), new Value("\u0000", true, "only NUL"), new Value("99999999999999999999", false, "big"),
            new Value("-1", false, "negative"), new Value("", false, "empty"), new Value("\ud800", false, "lone surrogate"),
            new Value("{\"a\":1}", false, "JSON"), new Value("x".repeat(100_000), false, "100 kB"));

    /**
     * POST /v1/audio/transcriptions is multipart, not JSON: each text field of the form (and the file part's
     * filename and content type) replaced by hostile text, the rest valid, as OpenAI's SDKs send the form.
     */
    private static int transcriptionForm(TestServer s, String key, List<String> failures) {
        byte[] wav = io.sluice.audio.Wav.wrap(new byte[3_200]);
        Map<String, String> valid = Map.of("model", "sluice-asr", "response_format", "json", "language", "en",
                                           "filename", "a.wav", "content_type", "audio/wav");
        int sent = 0;
        for (String field : List.of("model", "response_format", "language", "filename", "content_type")) {
            for (Value v : FORM_VALUES) {
                Map<String, String> form = new java.util.HashMap<>(valid);
                form.put(field, v.json());
                sent++;
                boolean text = !field.equals("filename") && !field.equals("content_type");
                check(s.send(HttpRequest.newBuilder(s.uri("/v1/audio/transcriptions")).header("Authorization", "Bearer " + key)
                                      .header("Content-Type", "multipart/form-data; boundary=fz")
                                      .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(form, wav)))),
                      "POST /v1/audio/transcriptions form " + field + "=" + v.what(), text && v.names() ? field : null, failures);
            }
        }
        return sent;
    }

    private static byte[] multipart(Map<String, String> form, byte[] file) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (String name : List.of("model", "response_format", "language")) {
            body.writeBytes(("--fz\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + form.get(name) + "\r\n")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        body.writeBytes(("--fz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + form.get("filename")
                + "\"\r\nContent-Type: " + form.get("content_type") + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes("\r\n--fz--\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    /** No 5xx; a 4xx is a JSON error with code and message; when {@code field} is set, a 400 naming it. */
    private static void check(HttpResponse<String> r, String what, String field, List<String> failures) {
        String body = r.body() == null ? "" : r.body();
        String why = null;
        // A HEAD answer has no body. A file the origin does not have is Sluice's JSON file_not_found like any 404.
        boolean bodiless = r.request().method().equals("HEAD");
        if (r.statusCode() >= 500) {
            why = "server error";
        } else if (r.statusCode() >= 400 && bodiless) {
            why = field != null ? "does not name " + field : null;
        } else if (r.statusCode() >= 400) {
            JsonNode error = parse(body).path("error");
            if (error.path("code").asText().isEmpty() || error.path("message").asText().isEmpty()) {
                why = "not a JSON error";
            } else if (field != null && (r.statusCode() != 400 || !error.path("message").asText().contains(field))) {
                why = "does not name " + field;
            }
        } else if (field != null) {
            why = "accepted";
        }
        if (why != null) {
            failures.add(why + ": " + what + " -> " + r.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
        }
    }

    /** Every field path of a body, objects and arrays walked down to their leaves (the containers too). */
    private static List<String[]> fields(JsonNode n, String path) {
        List<String[]> out = new ArrayList<>();
        if (n.isObject()) {
            n.fieldNames().forEachRemaining(name -> {
                String at = path.isEmpty() ? name : path + "." + name;
                out.add(new String[] {at});
                out.addAll(fields(n.get(name), at));
            });
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String at = path + "[" + i + "]";
                out.add(new String[] {at});
                out.addAll(fields(n.get(i), at));
            }
        }
        return out;
    }

    /** The body with the value at {@code path} replaced by raw JSON (which may be invalid on purpose). */
    private static String replace(String body, String path, String rawJson) throws Exception {
        String marker = "@@" + UUID.randomUUID() + "@@";
        JsonNode root = Json.MAPPER.readTree(body);
        JsonNode parent = root;
        String[] steps = path.replace("[", ".[").split("\\.");
        List<String> parts = new ArrayList<>(List.of(steps)).stream().filter(p -> !p.isEmpty()).toList();
        for (int i = 0; i < parts.size() - 1; i++) {
            parent = step(parent, parts.get(i));
        }
        String last = parts.getLast();
        if (last.startsWith("[")) {
            ((ArrayNode) parent).set(Integer.parseInt(last.substring(1, last.length() - 1)), marker);
        } else {
            ((ObjectNode) parent).put(last, marker);
        }
        return Json.MAPPER.writeValueAsString(root).replace("\"" + marker + "\"", rawJson);
    }

    private static JsonNode step(JsonNode n, String part) {
        return part.startsWith("[") ? n.get(Integer.parseInt(part.substring(1, part.length() - 1))) : n.get(part);
    }

    private static HttpResponse<String> call(TestServer s, String key, String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).header("Authorization", "Bearer " + key);
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return s.send(b);
    }

    private static String id(HttpResponse<String> r, String field) {
        String id = TestServer.json(r).path(field).asText();
        assertTrue(!id.isEmpty(), r.statusCode() + " " + r.body());
        return id;
    }

    private static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    /** A fresh user made admin in PostgreSQL before its key is created, so every route reads its input. */
    private static String adminKey(TestServer s) throws Exception {
        String user = "fuzz-admin-" + UUID.randomUUID().toString().substring(0, 8);
        s.postJson("/api/auth/register", "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}");
        try (Connection c = DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             PreparedStatement ps = c.prepareStatement("UPDATE users SET role = 'admin' WHERE username = ?")) {
            ps.setString(1, user);
            assertTrue(ps.executeUpdate() == 1, "user registered");
        }
        String token = TestServer.json(s.postJson("/api/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}")).path("token").asText();
        return TestServer.json(s.send(HttpRequest.newBuilder(s.uri("/api/keys")).header("Authorization", "Bearer " + token)
                                              .POST(HttpRequest.BodyPublishers.noBody()))).path("key").asText();
    }
}
