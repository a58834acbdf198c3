package io.sluice.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;

/**
 * One real request for every route, in an order that creates what later ones need (a user, a key,
 * a session, a task, a scene), each answer kept with the route template it exercised.
 */
final class Samples {
    static final String PASSWORD = "Tr0ub4dor&3-horse";

    /** The route (method and template, as in the document) and the real answer. */
    record Sample(String method, String template, HttpResponse<String> response) {
        String route() {
            return method + " " + template;
        }
    }

    private final TestServer server;
    private final List<Sample> taken = new ArrayList<>();
    private String bearer;

    Samples(TestServer server) {
        this.server = server;
    }

    List<Sample> takeAll() {
        operational();
        String admin = "oa-admin-" + UUID.randomUUID().toString().substring(0, 8);
        call("POST", "/api/auth/register", "/api/auth/register", "{\"username\":\"" + admin + "\",\"password\":\"" + PASSWORD + "\"}");
        promote(admin);
        bearer = field(call("POST", "/api/auth/login", "/api/auth/login",
                            "{\"username\":\"" + admin + "\",\"password\":\"" + PASSWORD + "\"}"), "token");
        call("GET", "/api/auth/verify", "/api/auth/verify", null);
        String keyId = field(call("POST", "/api/keys", "/api/keys", "{\"name\":\"openapi\",\"models\":[\"fake-*\"],\"tpm\":100000,"
                + "\"metadata\":{\"team\":\"docs\"},\"budget\":{\"period\":\"monthly\",\"limit\":100,\"soft_limit\":80}}"), "id");
        call("GET", "/api/keys", "/api/keys", null);
        call("GET", "/api/keys/{id}", "/api/keys/" + keyId, null);
        call("PATCH", "/api/keys/{id}", "/api/keys/" + keyId, "{\"models\":null,\"rpm\":600,\"disabled\":false}");
        call("DELETE", "/api/keys/{id}", "/api/keys/" + keyId, null);
        String other = "oa-user-" + UUID.randomUUID().toString().substring(0, 8);
        String otherId = field(call("POST", "/api/auth/register", "/api/auth/register",
                                    "{\"username\":\"" + other + "\",\"password\":\"" + PASSWORD + "\"}"), "id");
        call("GET", "/api/users", "/api/users", null);
        call("PATCH", "/api/users/{id}", "/api/users/" + otherId, "{\"role\":\"user\",\"disabled\":true,"
                + "\"budget\":{\"period\":\"daily\",\"limit\":5}}");
        call("DELETE", "/api/users/{id}", "/api/users/" + otherId, null);
        chat();
        sessions();
        tasks();
        scenes();
        caches();
        files();
        audio();
        podcasts();
        diagnostics();
        call("POST", "/api/auth/logout", "/api/auth/logout", null);
        return taken;
    }

    private void operational() {
        for (String path : List.of("/health", "/metrics", "/stats", "/openapi", "/ops", "/ops/ops.js", "/ops/ops.css")) {
            call("GET", path, path, null);
        }
        // Helidon's observers: the health checks by kind and by name, the meters by scope and by name.
        for (String kind : List.of("", "/live", "/ready", "/started")) {
            call("GET", "/observe/health" + kind, "/observe/health" + kind, null);
            call("HEAD", "/observe/health" + kind, "/observe/health" + kind, null);
        }
        for (String kind : List.of("check", "live", "ready", "started")) {
            String named = "/observe/health/" + kind + "/{name}";
            String check = kind.equals("live") || kind.equals("started") ? "server" : "postgres";
            call("GET", named, "/observe/health/" + kind + "/" + check, null);
            call("HEAD", named, "/observe/health/" + kind + "/" + check, null);
        }
        call("GET", "/observe/metrics", "/observe/metrics", null);
        call("OPTIONS", "/observe/metrics", "/observe/metrics", null);
        for (String scope : List.of("application", "base", "vendor")) {
            String meter = scope.equals("application") ? "sluice.admission.max" : scope.equals("base") ? "memory.usedHeap" : "requests.count";
            call("GET", "/observe/metrics/" + scope, "/observe/metrics/" + scope, null);
            call("OPTIONS", "/observe/metrics/" + scope, "/observe/metrics/" + scope, null);
            call("GET", "/observe/metrics/" + scope + "/{metric}", "/observe/metrics/" + scope + "/" + meter, null);
            call("OPTIONS", "/observe/metrics/" + scope + "/{metric}", "/observe/metrics/" + scope + "/" + meter, null);
        }
    }

    private void chat() {
        String chat = "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        call("POST", "/v1/chat/completions", "/v1/chat/completions", chat);
        call("GET", "/v1/models", "/v1/models", null);
        call("GET", "/v1/models/{id}", "/v1/models/fake-model", null);
        call("GET", "/v1/usage", "/v1/usage", null);
        call("GET", "/v1/usage", "/v1/usage?format=csv", null);
        // The built-in model of config.yaml (loads in a few seconds); both encodings, as both are documented.
        call("POST", "/v1/embeddings", "/v1/embeddings", "{\"model\":\"all-minilm-l6-v2\",\"input\":\"hi\"}");
        call("POST", "/v1/embeddings", "/v1/embeddings",
             "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"hi\",\"there\"],\"encoding_format\":\"base64\"}");
    }

    private void sessions() {
        String id = field(call("POST", "/v1/sessions", "/v1/sessions", "{\"title\":\"openapi\",\"model\":\"fake-model\"}"), "id");
        call("POST", "/v1/sessions/create", "/v1/sessions/create", "{\"model\":\"fake-model\"}");
        call("GET", "/v1/sessions/{id}", "/v1/sessions/" + id, null);
        call("POST", "/v1/sessions/{id}/chat", "/v1/sessions/" + id + "/chat?sync=true", "{\"message\":\"hello\"}");
        call("GET", "/v1/sessions/{id}/messages", "/v1/sessions/" + id + "/messages", null);
        call("DELETE", "/v1/sessions/{id}", "/v1/sessions/" + id, null);
    }

    private void tasks() {
        String chat = "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String id = field(call("POST", "/v1/tasks", "/v1/tasks", chat), "task_id");
        call("GET", "/v1/tasks/{id}", "/v1/tasks/" + id + "?wait=5s", null);
        call("DELETE", "/v1/tasks/{id}", "/v1/tasks/" + id, null);   // finished by now: 409, as documented
    }

    private void scenes() {
        String scene = "oa" + UUID.randomUUID().toString().substring(0, 6);
        String body = "{\"scene\":\"" + scene + "\",\"template\":\"Say {{word}}\",\"model\":\"fake-model\"}";
        call("POST", "/api/llmchat/prompts", "/api/llmchat/prompts", body);
        call("GET", "/api/llmchat/prompts", "/api/llmchat/prompts", null);
        call("GET", "/api/llmchat/prompts/{scene}", "/api/llmchat/prompts/" + scene, null);
        call("PUT", "/api/llmchat/prompts/{scene}", "/api/llmchat/prompts/" + scene,
             "{\"template\":\"Say {{word}} twice\",\"model\":\"fake-model\"}");
        String task = field(call("POST", "/api/llmchat/prompts/{scene}/api", "/api/llmchat/prompts/" + scene + "/api?sync=false",
                                 "{\"variables\":{\"word\":\"hi\"}}"), "task_id");
        call("GET", "/api/llmchat/tasks/{id}", "/api/llmchat/tasks/" + task, null);
        call("DELETE", "/api/llmchat/prompts/{scene}", "/api/llmchat/prompts/" + scene, null);
    }

    private void caches() {
        call("GET", "/api/cache", "/api/cache", null);
        call("POST", "/api/cache/{cache}/invalidate", "/api/cache/scenes/invalidate", "{\"prefix\":\"oa\"}");
    }

    /** This server has no origins configured: the documented 404 (FileProxyTest covers the rest against a real origin). */
    /** Speech, then its transcription as a multipart upload, as OpenAI's SDKs send them. */
    private void audio() {
        call("POST", "/v1/audio/speech", "/v1/audio/speech",
             "{\"model\":\"sluice-tts\",\"input\":\"Hello there\",\"voice\":\"alloy\",\"response_format\":\"wav\"}");
        String boundary = "openapi-sample";
        byte[] wav = io.sluice.audio.Wav.wrap(new byte[24_000]);   // half a second of silence
        for (String format : List.of("json", "verbose_json", "text")) {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nsluice-asr\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"response_format\"\r\n\r\n" + format + "\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            body.writeBytes(wav);
            body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/v1/audio/transcriptions"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            taken.add(new Sample("POST", "/v1/audio/transcriptions", server.send(b)));
        }
    }

    private void files() {
        call("GET", "/files/{origin}/{+path}", "/files/nowhere/dir/a.bin", null);
        call("HEAD", "/files/{origin}/{+path}", "/files/nowhere/dir/a.bin", null);
    }

    /** A two-line script spoken by the simulated TTS: finished within seconds, then every route of a finished podcast. */
    private void podcasts() {
        String body = "{\"script\":\"Ana: Hello.\\nBen: Bye.\",\"hosts\":[{\"name\":\"Ana\",\"voice\":\"alloy\"},"
                      + "{\"name\":\"Ben\",\"voice\":\"echo\"}]}";
        String id = field(call("POST", "/v1/podcasts", "/v1/podcasts", body), "id");
        call("GET", "/v1/podcasts/{id}/events", "/v1/podcasts/" + id + "/events", null);   // ends with the final state
        call("GET", "/v1/podcasts/{id}", "/v1/podcasts/" + id, null);
        call("GET", "/v1/podcasts", "/v1/podcasts?limit=5", null);
        call("GET", "/v1/podcasts/{id}/audio", "/v1/podcasts/" + id + "/audio", null);
        call("HEAD", "/v1/podcasts/{id}/audio", "/v1/podcasts/" + id + "/audio", null);
        call("DELETE", "/v1/podcasts/{id}", "/v1/podcasts/" + id, null);
    }

    private void diagnostics() {
        call("GET", "/diag/sleep", "/diag/sleep?ms=1", null);
        call("GET", "/diag/stream", "/diag/stream?events=2&interval_ms=1", null);
        call("POST", "/diag/echo", "/diag/echo", "{\"hello\":\"world\"}");
    }

    private HttpResponse<String> call(String method, String template, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (json != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = server.send(b);
        taken.add(new Sample(method, template, response));
        return response;
    }

    private static String field(HttpResponse<String> r, String name) {
        String value = TestServer.json(r).path(name).asText("");
        if (value.isEmpty()) {
            throw new AssertionError("no '" + name + "' in " + r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " " + r.body());
        }
        return value;
    }

    /** Makes the user an admin in PostgreSQL, as an operator would. */
    static void promote(String username) {
        try (var c = java.sql.DriverManager.getConnection(TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("UPDATE users SET role = 'admin' WHERE username = ?")) {
            ps.setString(1, username);
            if (ps.executeUpdate() != 1) {
                throw new AssertionError("no user " + username);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
