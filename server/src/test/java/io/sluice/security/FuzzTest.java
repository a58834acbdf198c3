package io.sluice.security;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 random and mutated requests — 8,000 through an HTTP client (odd methods, traversal and
 * SQL-ish paths, broken JSON, deep nesting, invalid UTF-8, wrong content types, bad credentials
 * and a valid key) and 2,000 raw-socket ones too broken for any client (garbage request lines,
 * invalid UTF-8 in the path, huge or malformed headers, truncated bodies). No 5xx, no stack trace
 * in a response, no secret in the logs, and the server is healthy afterwards. Seeded: reproducible.
 */
class FuzzTest {
    static final String SECRET = "fuzz-secret-" + UUID.randomUUID();

    @Test
    void tenThousandHostileRequests() throws Exception {
        try (TestServer s = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true",
                                                    "llm.providers.simulated.latency", "1ms",
                                                    "llm.providers.simulated.tokens-per-second", "100000",
                                                    "llm.providers.simulated.reply-tokens", "3"))) {
            String key = apiKey(s);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger dropped = new AtomicInteger();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                Random random = new Random(42 + w);
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        HttpRequest.Builder b;
                        try {
                            b = Mutations.request(random, s.uri("/").toString(), key, SECRET);
                        } catch (IllegalArgumentException e) {   // something the client itself refuses to send
                            b = null;
                        }
                        if (b == null) {
                            b = HttpRequest.newBuilder(URI.create(s.uri("/v1/models").toString())).GET();
                        }
                        try {
                            check(s.send(b), failures);
                        } catch (IllegalStateException e) {
                            // A pooled keep-alive connection the server closed after a refused request (e.g. an
                            // unread body) raced the client's next send: no answer, but no server error either.
                            dropped.incrementAndGet();
                        }
                        sent.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int w = 0; w < 4; w++) {
                Random random = new Random(7 + w);
                jobs.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        String answer = RawHttp.exchange(s.port(), RawHttp.hostile(random, SECRET));
                        int status = RawHttp.status(answer);
                        if (status >= 500 || answer.contains("Exception") || answer.contains("\tat ")) {
                            failures.add("raw: " + answer.substring(0, Math.min(300, answer.length())));
                        }
                        sent.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertEquals(10_000, sent.get());
            assertTrue(dropped.get() < 100, dropped.get() + " client requests got no answer at all");
            assertTrue(failures.isEmpty(), failures.size() + " bad answers, e.g. " + failures.stream().limit(5).toList());
            assertEquals(200, s.get("/observe/health/ready").statusCode(), "healthy afterwards");
            assertEquals(200, s.send(HttpRequest.newBuilder(s.uri("/v1/models")).header("Authorization", "Bearer " + key).GET())
                    .statusCode());
            for (String log : new String[] {"server.log", "error.log"}) {
                String text = Files.exists(s.logDir().resolve(log)) ? Files.readString(s.logDir().resolve(log)) : "";
                assertFalse(text.contains(SECRET), "a secret reached " + log);
                assertFalse(text.contains(key), "the API key reached " + log);
            }
        }
    }

    private static void check(HttpResponse<String> r, ConcurrentLinkedQueue<String> failures) {
        String body = r.body() == null ? "" : r.body();
        if (r.statusCode() >= 500 || body.contains("Exception") || body.contains("\tat ")
                || (body.contains(SECRET) && !r.uri().getPath().equals("/diag/echo"))) {   // echo returns what it got
            failures.add(r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " " + body.substring(0, Math.min(200, body.length())));
        }
    }

    private static String apiKey(TestServer s) {
        String user = "fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        s.postJson("/api/auth/register", "{\"username\":\"" + user + "\",\"password\":\"" + SECRET + "\"}");
        String token = TestServer.json(s.postJson("/api/auth/login",
                "{\"username\":\"" + user + "\",\"password\":\"" + SECRET + "\"}")).path("token").asText();
        return TestServer.json(s.send(HttpRequest.newBuilder(s.uri("/api/keys")).header("Authorization", "Bearer " + token)
                                              .POST(HttpRequest.BodyPublishers.noBody()))).path("key").asText();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
