package io.sluice.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.AppConfig;
import io.sluice.Sluice;
import io.sluice.http.Json;

/** A real Sluice on a free port, against the shared test PostgreSQL and Redis, plus an HTTP client. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Sluice sluice;
    private final Path logDir;

    private TestServer(Sluice sluice, Path logDir) {
        this.sluice = sluice;
        this.logDir = logDir;
    }

    public static TestServer start(Map<String, String> overrides) {
        try {
            Path logDir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "test-logs-");
            Map<String, String> config = new HashMap<>();
            config.put("server.port", "0");
            config.put("database.url", TestInfra.postgresUrl());
            config.put("database.username", "postgres");
            config.put("database.password", "postgres");
            config.put("redis.url", TestInfra.redisUrl());
            config.put("logging.dir", logDir.toString());
            config.put("tasks.stream", "test:tasks:" + java.util.UUID.randomUUID());   // no server takes another's tasks
            // Most tests call the API without credentials and far more than 100 times: auth and the
            // per-client limits are off unless a test turns them on (the auth, ratelimit and security tests do).
            config.put("auth.enabled", "false");
            config.put("ratelimit.enabled", "false");
            config.put("auth.jwt-secret-file", logDir.resolve("jwt-secret/secret").toString());   // not the worktree's data/
            config.put("ratelimit.redis-prefix", "test:rl:" + java.util.UUID.randomUUID() + ":");   // no shared budgets by accident
            config.putAll(overrides);
            return new TestServer(Sluice.start(AppConfig.load(config)), logDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return sluice.port();
    }

    /** The running server itself, e.g. for the routes its routing was built with. */
    public Sluice sluice() {
        return sluice;
    }

    public Path logDir() {
        return logDir;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<String> postJson(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** The seed's /health view, parsed. */
    public JsonNode health() {
        return json(get("/health"));
    }

    /** Polls until the condition holds; fails the test with the message after the timeout. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        sluice.close();
    }
}
