package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.sluice.http.Json;

/**
 * Anthropic's Messages API ({@code POST {base-url}/messages}) behind the OpenAI protocol the rest of
 * Sluice speaks: the request is translated by {@link AnthropicRequest}, a whole answer by
 * {@link AnthropicAnswer}, a stream event by event by {@link AnthropicStream}; what the relay gets
 * is indistinguishable from an OpenAI upstream's. Error answers keep their status, with Anthropic's
 * error type and message as the detail ({@code overloaded_error}'s 529 is a 5xx: retried, then the
 * next target). Connections, timeouts and the client are those of {@link OpenAiCompatibleProvider}.
 */
public final class AnthropicProvider implements Provider, AutoCloseable {
    private static final int MAX_BODY = 16 << 20;

    private final String name;
    private final Header apiKey;    // built once; null without a key
    private final Header version;
    private final int defaultMaxTokens;
    private final LlmSettings.Upstream timeouts;
    private final Semaphore connections;
    private final Semaphore allConnections;
    private final WebClient web;
    private final Http1Client client;
    private final URI uri;

    public AnthropicProvider(LlmProvider s, LlmSettings.Upstream timeouts, Semaphore allConnections) {
        this.name = s.name();
        this.uri = URI.create(s.baseUrl() + "/messages");
        this.apiKey = s.apiKey().isEmpty() ? null : HeaderValues.create(HeaderNames.create("x-api-key"), false, true, s.apiKey());
        this.version = HeaderValues.create(HeaderNames.create("anthropic-version"), s.anthropicVersion());
        this.defaultMaxTokens = s.defaultMaxTokens();
        this.timeouts = timeouts;
        this.connections = new Semaphore(timeouts.maxConnectionsPerProvider());
        this.allConnections = allConnections;
        this.web = OpenAiCompatibleProvider.webClient(timeouts);
        this.client = web.client(Http1Client.PROTOCOL);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean simulated() {
        return false;
    }

    @Override
    public String genAiSystem() {
        return "anthropic";
    }

    @Override
    public void call(UpstreamBody body, boolean stream, Delivery delivery) throws UpstreamException, InterruptedException {
        // Translated from the tree: no byte pass-through here.
        OpenAiCompatibleProvider.holdingConnections(name, connections, allConnections, timeouts.connectTimeout(),
                () -> exchange(body.tree(), stream, delivery));
    }

    private void exchange(ObjectNode body, boolean stream, Delivery delivery) throws UpstreamException, InterruptedException {
        ObjectNode messages = AnthropicRequest.from(body, stream, defaultMaxTokens);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        Duration readTimeout = stream ? max(timeouts.firstByteTimeout(), timeouts.idleTimeout()) : timeouts.totalTimeout();
        var request = client.post()
                .uri(uri)
                .readTimeout(readTimeout)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(stream ? HeaderValues.ACCEPT_EVENT_STREAM : HeaderValues.ACCEPT_JSON)
                .header(version);
        if (apiKey != null) {
            request.header(apiKey);
        }
        try (HttpClientResponse res = request.submit(Json.bytes(messages))) {
            int status = res.status().code();
            if (status != 200) {
                String detail = AnthropicAnswer.errorDetail(res.inputStream().readNBytes(8192));
                throw UpstreamException.status(name, status, detail, OpenAiCompatibleProvider.retryAfter(res));
            }
            delivery.started();
            InputStream in = res.inputStream();
            if (stream) {
                AnthropicStream.read(in, timeouts.maxSseLine(), delivery, name, includeUsage);
            } else {
                byte[] json = in.readNBytes(MAX_BODY + 1);
                if (json.length > MAX_BODY) {
                    throw UpstreamException.invalid(name, "an answer larger than " + MAX_BODY + " bytes");
                }
                byte[] completion = AnthropicAnswer.completion(json, System.currentTimeMillis() / 1000);
                if (completion == null) {
                    throw UpstreamException.invalid(name, "not a Messages API message");
                }
                delivery.body(completion);
            }
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("upstream call cancelled");
            }
            throw OpenAiCompatibleProvider.map(name, e);
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void close() {
        web.closeResource();
    }
}
