package io.sluice.llm;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import io.sluice.support.FakeAnthropic;
import io.sluice.support.FakeUpstream;
import io.sluice.support.TestGateway;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Java SDK as the client: its base URL is Sluice's {@code /v1}, its key one made
 * through {@code POST /api/keys}. A non-streamed and a streamed chat completion against the
 * OpenAI-compatible fake and against a model routed to the fake Anthropic upstream (translated both
 * ways), checked as the SDK parses them (text, finish reason, usage); and the SDK's typed exception,
 * carrying our error code, for a model Sluice does not serve.
 */
class OpenAiSdkTest {
    private static final String PASSWORD = "Tr0ub4dor&3-horse";

    private static FakeAnthropic anthropic;
    private static TestGateway gateway;
    private static TestServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        anthropic = FakeAnthropic.start();
        gateway = TestGateway.start("fake", Map.of(
                "auth.enabled", "true",
                "auth.registration", "true",
                "auth.jwt-secret", "openai-sdk-test-secret-0123456789abcdefghijkl",
                "llm.models.fake-model.route", "fake:upstream-model",
                "llm.providers.claude.type", "anthropic",
                "llm.providers.claude.base-url", anthropic.baseUrl(),
                "llm.providers.claude.api-key", "sk-ant-test-key",
                "llm.models.claude.route", "claude:claude-sonnet-4-5"));
        server = gateway.server();
        gateway.upstream().byDefault(FakeUpstream.reply(3, java.time.Duration.ZERO));
        client = OpenAIOkHttpClient.builder()
                .baseUrl(server.uri("/v1").toString())
                .apiKey(apiKey())
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (anthropic != null) {
            anthropic.close();
        }
    }

    /** A real user's real API key: registered, logged in, key created through the API. */
    private static String apiKey() {
        String user = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        String credentials = "{\"username\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}";
        assertEquals(201, server.postJson("/api/auth/register", credentials).statusCode());
        HttpResponse<String> login = server.postJson("/api/auth/login", credentials);
        assertEquals(200, login.statusCode(), login.body());
        HttpResponse<String> key = server.send(HttpRequest.newBuilder(server.uri("/api/keys"))
                .header("Authorization", "Bearer " + TestServer.json(login).path("token").asText())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"openai-sdk\"}")));
        assertEquals(201, key.statusCode(), key.body());
        return TestServer.json(key).path("key").asText();
    }

    private static ChatCompletionCreateParams.Builder params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("Be brief.").addUserMessage("Say hello");
    }

    /** What the SDK made of a stream: the text, the last finish reason and the usage chunk. */
    private record Streamed(String text, String finishReason, CompletionUsage usage, int chunks) {
    }

    private static Streamed stream(String model) {
        StringBuilder text = new StringBuilder();
        String finish = null;
        CompletionUsage usage = null;
        int chunks = 0;
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
                params(model).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) s.stream()::iterator) {
                chunks++;
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().ifPresent(text::append);
                    if (choice.finishReason().isPresent()) {
                        finish = choice.finishReason().get().asString();
                    }
                }
                if (chunk.usage().isPresent()) {
                    usage = chunk.usage().get();
                }
            }
        }
        return new Streamed(text.toString(), finish, usage, chunks);
    }

    @Test
    void nonStreamedCompletionFromTheOpenAiCompatibleUpstream() {
        ChatCompletion c = client.chat().completions().create(params("fake-model").build());
        assertEquals("w0 w1 w2", c.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason());
        CompletionUsage usage = c.usage().orElseThrow();
        assertEquals(11, usage.promptTokens());
        assertEquals(3, usage.completionTokens());
        assertEquals(14, usage.totalTokens());
        assertEquals("upstream-model", c.model());
    }

    @Test
    void streamedCompletionFromTheOpenAiCompatibleUpstream() {
        Streamed s = stream("fake-model");
        assertEquals("w0 w1 w2", s.text());
        assertEquals("stop", s.finishReason());
        assertTrue(s.usage() != null, "the usage chunk asked for with stream_options.include_usage");
        assertEquals(11, s.usage().promptTokens());
        assertEquals(3, s.usage().completionTokens());
        assertEquals(14, s.usage().totalTokens());
    }

    @Test
    void nonStreamedCompletionTranslatedFromAnthropic() {
        ChatCompletion c = client.chat().completions().create(params("claude").build());
        assertEquals("Hello from Claude", c.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, c.choices().getFirst().finishReason(), "end_turn");
        CompletionUsage usage = c.usage().orElseThrow();
        assertEquals(25, usage.promptTokens(), "input 21 + 4 read from the cache");
        assertEquals(9, usage.completionTokens());
        assertEquals(34, usage.totalTokens());
        assertEquals(4, usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
        assertEquals("claude-sonnet-4-5", anthropic.requests().getLast().path("model").asText());
    }

    @Test
    void streamedCompletionTranslatedFromAnthropic() {
        Streamed s = stream("claude");
        assertEquals("Hello from Claude", s.text());
        assertEquals("stop", s.finishReason());
        assertTrue(s.chunks() > 2, "streamed in several chunks: " + s.chunks());
        assertTrue(s.usage() != null, "the usage chunk asked for with stream_options.include_usage");
        assertEquals(25, s.usage().promptTokens());
        assertEquals(3, s.usage().completionTokens(), "message_delta's output_tokens");
        assertEquals(28, s.usage().totalTokens());
    }

    @Test
    void unknownModelIsTheSdksNotFoundExceptionWithOurErrorCode() {
        NotFoundException e = assertThrows(NotFoundException.class,
                                           () -> client.chat().completions().create(params("no-such-model").build()));
        assertEquals(404, e.statusCode());
        String body = String.valueOf(e.body());
        assertTrue(body.contains("model_not_found"), body);
        assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
        List<String> none = new ArrayList<>();
        assertThrows(NotFoundException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("no-such-model").build())) {
                s.stream().forEach(c -> none.add(c.id()));
            }
        }, "a streamed request for an unknown model fails before any chunk");
        assertEquals(List.of(), none);
    }
}
