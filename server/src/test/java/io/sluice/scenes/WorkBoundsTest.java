package io.sluice.scenes;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Work the server does is bounded by what a request is allowed to be, never multiplied by it: a
 * template repeating a variable, n answers of max_tokens each.
 */
class WorkBoundsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aTemplateRepeatingAVariableCannotRenderAHugePrompt() {
        String scene = "bomb-" + UUID.randomUUID().toString().substring(0, 8);
        String template = "{{v}}".repeat(19_000);   // within the 100,000-character template limit
        HttpResponse<String> created = server.postJson("/api/llmchat/prompts",
                "{\"scene\":\"" + scene + "\",\"template\":\"" + template + "\",\"model\":\"sluice-sim\"}");
        assertEquals(201, created.statusCode(), created.body());

        // 50 KB of request asks for 19,000 x 50,000 = 950 million characters.
        HttpResponse<String> r = server.postJson("/api/llmchat/prompts/" + scene + "/api?sync=true",
                "{\"variables\":{\"v\":\"" + "x".repeat(50_000) + "\"}}");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("content_too_large", json(r).at("/error/code").asText());
        assertTrue(json(r).at("/error/message").asText().contains("950000000"), r.body());

        // A small value renders fine and the server is unharmed.
        HttpResponse<String> ok = server.postJson("/api/llmchat/prompts/" + scene + "/api?sync=true", "{\"v\":\"y\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(200, server.get("/observe/health/ready").statusCode());
    }

    @Test
    void nAnswersTimesMaxTokensIsBounded() {
        String tooMany = "{\"model\":\"sluice-sim\",\"n\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> r = server.postJson("/v1/chat/completions", tooMany);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("invalid_request", json(r).at("/error/code").asText());

        String product = "{\"model\":\"sluice-sim\",\"n\":8,\"max_tokens\":32768,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        r = server.postJson("/v1/chat/completions", product);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("invalid_max_tokens", json(r).at("/error/code").asText());

        String fine = "{\"model\":\"sluice-sim\",\"n\":2,\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals(200, server.postJson("/v1/chat/completions", fine).statusCode());
    }
}
