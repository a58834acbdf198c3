package io.sluice.llm.usage;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.sluice.http.Json;
import io.sluice.llm.UsageRows;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Usage rows go in through COPY's text format: client-chosen text (the OpenAI "user" field) arrives unchanged. */
class UsageCopyTest {

    @Test
    void awkwardUserTextIsStoredExactly() throws Exception {
        String user = "tab\there\\N back\\slash\nnew line\r\u00e9";
        try (TestServer server = TestServer.start(Map.of("llm.providers.simulated.latency", "1ms"))) {
            String id = "copy-" + UUID.randomUUID();
            String body = Json.MAPPER.writeValueAsString(Map.of(
                    "model", "sluice-sim", "user", user, "max_tokens", 3,
                    "messages", java.util.List.of(Map.of("role", "user", "content", "hi"))));
            HttpResponse<String> res = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .header("X-Request-Id", id)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(200, res.statusCode(), res.body());
            await("usage row", Duration.ofSeconds(5), () -> !UsageRows.forRequest(id).isEmpty());
            assertEquals(user, UsageRows.forRequest(id).getFirst().user());
        }
    }
}
