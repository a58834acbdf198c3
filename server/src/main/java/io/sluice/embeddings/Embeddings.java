package io.sluice.embeddings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.limits.Bulkhead;
import io.sluice.limits.Permit;

/**
 * The configured embedding models, each call under the {@code embeddings} bulkhead and timed
 * ({@code sluice.embedding.duration}, per model). The built-in model is one shared instance, loaded
 * at its first use. What /v1/embeddings and the semantic response cache both use.
 */
public final class Embeddings implements AutoCloseable {
    private final Map<String, Embedder> byName = new LinkedHashMap<>();
    private final Map<String, Timer> timers = new LinkedHashMap<>();
    private final Bulkhead bulkhead;
    private final EmbeddingSettings settings;

    public Embeddings(EmbeddingSettings settings, Bulkhead bulkhead, MeterRegistry registry) {
        this.settings = settings;
        this.bulkhead = bulkhead;
        BuiltinEmbedder builtin = null;
        for (EmbeddingSettings.Model m : settings.models().values()) {
            if (m.builtin()) {
                builtin = builtin == null ? new BuiltinEmbedder() : builtin;   // the model class is not loaded here
                byName.put(m.name(), builtin);
            } else {
                byName.put(m.name(), new RemoteEmbedder(m, settings.timeout()));
            }
            timers.put(m.name(), registry.getOrCreate(Timer.builder("sluice.embedding.duration")
                    .description("Time to embed one request's inputs, bulkhead wait included")
                    .tags(List.of(Tag.create("model", m.name())))));
        }
    }

    public boolean has(String model) {
        return byName.containsKey(model);
    }

    public EmbeddingSettings settings() {
        return settings;
    }

    /** The vectors of {@code inputs}; 404 for an unknown model, 503 when the bulkhead is full, 5xx from a provider. */
    public Embedder.Vectors embed(String model, List<String> inputs) {
        Embedder e = byName.get(model);
        if (e == null) {
            throw ApiException.notFound(ErrorCode.MODEL_NOT_FOUND, "model: no embedding model '" + model + "' (configured: "
                    + byName.keySet() + ")");
        }
        long start = System.nanoTime();
        try (Permit slot = bulkhead.acquire()) {
            return e.embed(inputs);
        } finally {
            timers.get(model).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /** One text's vector, for the response cache. */
    public float[] embedOne(String model, String text) {
        return embed(model, List.of(text)).vectors().getFirst();
    }

    @Override
    public void close() {
        for (Embedder e : byName.values()) {
            if (e instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing a web client: nothing left to do
                }
            }
        }
    }
}
