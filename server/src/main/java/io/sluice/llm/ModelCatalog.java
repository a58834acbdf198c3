package io.sluice.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Text;
import io.sluice.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured models and the providers behind them; closing it closes the providers' connections. */
public final class ModelCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);
    private final Map<String, LlmModel> models;
    private final Map<String, Provider> providers = new LinkedHashMap<>();

    public ModelCatalog(LlmSettings s) {
        this(s, Tracing.OFF);
    }

    public ModelCatalog(LlmSettings s, Tracing tracing) {
        this.models = s.models();
        Semaphore allConnections = new Semaphore(s.upstream().maxConnections());
        s.providers().forEach((name, p) -> providers.put(name, switch (p.type()) {
            case LlmProvider.SIMULATED -> new SimulatedProvider(p);
            case LlmProvider.ANTHROPIC -> new AnthropicProvider(p, s.upstream(), allConnections);
            default -> new OpenAiCompatibleProvider(p, s.upstream(), allConnections, tracing);
        }));
    }

    /** The model, or OpenAI's 404 {@code model_not_found}. */
    public LlmModel require(String name) {
        LlmModel m = models.get(name);
        if (m == null) {
            throw new ApiException(ErrorCode.MODEL_NOT_FOUND, "The model '" + Text.clip(name, 64) + "' does not exist; see GET /v1/models");
        }
        return m;
    }

    public List<LlmModel> models() {
        return new ArrayList<>(models.values());
    }

    public Map<String, Provider> providers() {
        return providers;
    }

    /**
     * Builds the upstream providers' HTTP clients on a virtual thread, so the first chat does not pay
     * for it while start-up to ready does not either (call it once the server listens). A failure
     * here is only logged: the first call builds the client again.
     */
    public void warmUpInBackground() {
        Thread.ofVirtual().name("llm-clients-warm-up").start(() -> {
            for (Provider p : providers.values()) {
                if (p instanceof OpenAiCompatibleProvider upstream) {
                    try {
                        upstream.warmUp();
                    } catch (RuntimeException e) {
                        LOG.warn("could not build the HTTP client of provider {} ahead of its first call: {}", p.name(), e.toString());
                    }
                }
            }
        });
    }

    /** True when every provider in the model's route is the simulator. */
    public boolean simulated(LlmModel model) {
        return model.route().stream().allMatch(t -> providers.get(t.provider()).simulated());
    }

    @Override
    public void close() {
        for (Provider p : providers.values()) {
            if (p instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing idle keep-alive connections at shutdown: nothing to do about a failure
                }
            }
        }
    }
}
