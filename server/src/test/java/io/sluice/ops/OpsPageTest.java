package io.sluice.ops;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live operations page: who may open it (loopback freely, others only as an admin), and in a
 * real headless Chromium that it loads without errors and shows figures that move under load.
 */
class OpsPageTest {
    private static final String PASSWORD = "Tr0ub4dor&3-horse";
    private static final String REMOTE = "203.0.113.7";   // a client behind the trusted proxy (TEST-NET-3)

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.of(
            "auth.enabled", "true",
            "auth.registration", "true",
            "security.trusted-proxies", "127.0.0.1"));
    private static TestServer server;
    private static String admin;
    private static String user;

    @BeforeAll
    static void users() {
        server = gateway.server();
        String adminName = "ops-admin-" + UUID.randomUUID().toString().substring(0, 8);
        register(adminName);
        promote(adminName);
        admin = login(adminName);
        String userName = "ops-user-" + UUID.randomUUID().toString().substring(0, 8);
        register(userName);
        user = login(userName);
    }

    @Test
    void openFromLoopbackWithItsOwnPolicyAndNoInlineScript() {
        for (String path : List.of("/ops", "/ops/ops.js", "/ops/ops.css")) {
            HttpResponse<String> r = server.get(path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && !csp.contains("unsafe-inline"), csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), "the other security headers stay");
        }
        String page = server.get("/ops").body();
        assertTrue(page.contains("<script src=\"/ops/ops.js\"") && !page.matches("(?s).*<script>.*"), "script from a file only");
    }

    @Test
    void fromElsewhereOnlyForAnAdmin() {
        HttpResponse<String> anonymous = remote(null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals("unauthorized", TestServer.json(anonymous).at("/error/code").asText(), anonymous.body());
        HttpResponse<String> notAdmin = remote(user);
        assertEquals(403, notAdmin.statusCode(), notAdmin.body());
        assertEquals("admin_required", TestServer.json(notAdmin).at("/error/code").asText(), notAdmin.body());
        HttpResponse<String> ok = remote(admin);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("Sluice operations"));
        // A local reverse proxy that is not listed as trusted: the real client is unknown, so not local.
        HttpResponse<String> forwarded = server.send(HttpRequest.newBuilder(server.uri("/ops")).header("Forwarded", "for=198.51.100.1"));
        assertEquals(401, forwarded.statusCode(), forwarded.body());
    }

    @Test
    void aBrowserShowsFiguresThatMoveUnderLoad() throws Exception {
        assumeTrue(Chromium.installed(), "\n\n*** SKIPPED: the /ops browser test needs Debian's chromium: "
                                         + "apt-get install -y --no-install-recommends chromium (make test installs it when run as root) ***\n");
        try (Chromium browser = Chromium.start();
             ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            browser.open(server.uri("/ops").toString());
            JsonNode before = figures(browser, f -> f.path("stamp").asText().startsWith("updated"));
            assertEquals(0, before.path("inflight").asInt(), before.toString());
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(load.submit(() -> server.send(HttpRequest.newBuilder(server.uri("/diag/sleep?ms=2500"))
                                                                 .header("Authorization", "Bearer " + admin))));
            }
            JsonNode busy = figures(browser, f -> f.path("inflight").asInt() >= 4);
            browser.screenshot(Path.of("server/target/ops-page.png"));
            for (Future<HttpResponse<String>> c : calls) {
                assertEquals(200, c.get().statusCode());
            }
            JsonNode after = figures(browser, f -> f.path("inflight").asInt() == 0 && f.path("total").asLong() >= before.path("total").asLong() + 8);
            assertTrue(busy.path("sections").asInt() >= 4 && busy.path("meters").asInt() >= 3, "sections drawn from the JSON: " + busy);
            assertTrue(after.path("stamp").asText().startsWith("updated"), after.toString());
            assertEquals(List.of(), browser.errors(), "the page logs no errors");
        }
    }

    /** The page's figures, polled until the condition holds (bounded). */
    private static JsonNode figures(Chromium browser, java.util.function.Predicate<JsonNode> until) {
        String js = """
                (() => {
                  const num = s => Number((s || '').replace(/[^0-9.]/g, ''));
                  const tile = id => document.querySelector('[data-metric=' + id + ']');
                  if (!tile('inflight') || !tile('rate')) return null;
                  return { inflight: num(tile('inflight').querySelector('.value').textContent),
                           total: num(tile('rate').querySelector('.sub').textContent),
                           sections: document.querySelectorAll('#sections .card').length,
                           meters: document.querySelectorAll('#meters .card').length,
                           stamp: document.getElementById('stamp').textContent };
                })()""";
        JsonNode[] last = new JsonNode[1];
        TestServer.await("the ops page to show " + until, Duration.ofSeconds(10), () -> {
            last[0] = browser.evaluate(js);
            return last[0] != null && !last[0].isNull() && !last[0].isMissingNode() && until.test(last[0]);
        });
        assertFalse(last[0].isNull());
        return last[0];
    }

    private static HttpResponse<String> remote(String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/ops")).header("X-Forwarded-For", REMOTE);
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return server.send(b);
    }

    /** Makes the user an admin in PostgreSQL, as an operator would. */
    private static void promote(String username) {
        try (var c = java.sql.DriverManager.getConnection(io.sluice.support.TestInfra.postgresUrl(), "postgres", "postgres");
             var ps = c.prepareStatement("UPDATE users SET role = 'admin' WHERE username = ?")) {
            ps.setString(1, username);
            assertEquals(1, ps.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void register(String name) {
        HttpResponse<String> r = server.postJson("/api/auth/register", "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(201, r.statusCode(), r.body());
    }

    private static String login(String name) {
        HttpResponse<String> r = server.postJson("/api/auth/login", "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return TestServer.json(r).path("token").asText();
    }
}
