package io.sluice.embeddings;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Json;

/** An openai-compatible provider's {@code POST {base-url}/embeddings}, with bounded connect and read waits. */
final class RemoteEmbedder implements Embedder, AutoCloseable {
    private static final int MAX_BODY = 64 << 20;

    private final EmbeddingSettings.Model model;
    private final String url;
    private final WebClient client;

    RemoteEmbedder(EmbeddingSettings.Model model, Duration timeout) {
        this.model = model;
        this.url = model.baseUrl() + "/embeddings";
        this.client = WebClient.builder()
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).connectTimeout(timeout).readTimeout(timeout).build())
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .keepAlive(true)
                .followRedirects(false)
                .build();
    }

    @Override
    public Vectors embed(List<String> inputs) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("model", model.upstreamModel()).put("encoding_format", "float");
        inputs.forEach(body.putArray("input")::add);
        var request = client.post(url).header(HeaderValues.CONTENT_TYPE_JSON).header(HeaderValues.ACCEPT_JSON);
        if (!model.apiKey().isEmpty()) {
            request.header(HeaderNames.AUTHORIZATION, "Bearer " + model.apiKey());
        }
        try (HttpClientResponse res = request.submit(body.toString().getBytes(StandardCharsets.UTF_8))) {
            if (res.status().code() != 200) {
                throw new ApiException(ErrorCode.UPSTREAM_ERROR,
                                       "embedding provider " + model.provider() + " answered " + res.status().code());
            }
            return parse(Json.MAPPER.readTree(res.inputStream().readNBytes(MAX_BODY)), inputs.size());
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw failure(e);
        }
    }

    private Vectors parse(JsonNode json, int expected) {
        JsonNode data = json.path("data");
        if (!data.isArray() || data.size() != expected) {
            throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE,
                                   "embedding provider " + model.provider() + " sent no data array of " + expected);
        }
        float[][] vectors = new float[expected][];
        for (JsonNode item : data) {
            int index = item.path("index").asInt(-1);
            JsonNode e = item.path("embedding");
            if (index < 0 || index >= expected || !e.isArray() || e.isEmpty()) {
                throw new ApiException(ErrorCode.UPSTREAM_INVALID_RESPONSE, "embedding provider sent an invalid item");
            }
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) e.get(i).asDouble();
            }
            vectors[index] = v;
        }
        return new Vectors(new ArrayList<>(List.of(vectors)), json.path("usage").path("prompt_tokens").asInt(0));
    }

    private ApiException failure(Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketTimeoutException) {
                return new ApiException(ErrorCode.UPSTREAM_TIMEOUT, "embedding provider " + model.provider() + " did not answer in time");
            }
            if (c instanceof ConnectException) {
                return new ApiException(ErrorCode.UPSTREAM_UNREACHABLE, "embedding provider " + model.provider() + " unreachable");
            }
        }
        return new ApiException(ErrorCode.UPSTREAM_ERROR, "embedding provider " + model.provider() + ": " + e.getClass().getSimpleName());
    }

    @Override
    public void close() {
        client.closeResource();
    }
}
