package io.sluice.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A real Sluice in front of fake OpenAI upstreams: one {@link FakeUpstream} per provider name,
 * configured as {@code llm.providers.<name>} (openai-compatible), then the test's own overrides
 * (models, routes, limits). What test classes used to repeat in their set-up and tear-down.
 */
public final class TestGateway implements AutoCloseable {
    private final Map<String, FakeUpstream> upstreams;
    private final Map<String, String> config;
    private final TestServer server;

    private TestGateway(Map<String, FakeUpstream> upstreams, Map<String, String> config, TestServer server) {
        this.upstreams = upstreams;
        this.config = config;
        this.server = server;
    }

    /** One fake upstream as provider {@code provider}. */
    public static TestGateway start(String provider, Map<String, String> overrides) {
        return start(new String[] {provider}, overrides);
    }

    /** A fake upstream for each provider name, in this order. */
    public static TestGateway start(String[] providers, Map<String, String> overrides) {
        Map<String, FakeUpstream> fakes = new LinkedHashMap<>();
        try {
            Map<String, String> config = new LinkedHashMap<>();
            for (String name : providers) {
                FakeUpstream fake = FakeUpstream.start();
                fakes.put(name, fake);
                config.put("llm.providers." + name + ".type", "openai-compatible");
                config.put("llm.providers." + name + ".base-url", fake.baseUrl());
            }
            config.putAll(overrides);
            return new TestGateway(fakes, Map.copyOf(config), TestServer.start(config));
        } catch (RuntimeException e) {
            fakes.values().forEach(FakeUpstream::close);
            throw e;
        }
    }

    /** The providers' settings and the overrides, e.g. for a second server process on the same fakes. */
    public Map<String, String> config() {
        return config;
    }

    public TestServer server() {
        return server;
    }

    /** The first (or only) fake upstream. */
    public FakeUpstream upstream() {
        return upstreams.values().iterator().next();
    }

    public FakeUpstream upstream(String provider) {
        return upstreams.get(provider);
    }

    /** Forgets every fake's script and records; for a @BeforeEach. */
    public void reset() {
        upstreams.values().forEach(FakeUpstream::reset);
    }

    /** Waits (bounded) until every admission and streaming permit is back; for an @AfterEach. */
    public void awaitPermitsReturned() {
        TestServer.await("permits returned", Duration.ofSeconds(5), () -> {
            JsonNode h = server.health();
            return h.get("concurrent_requests").asInt() == 0 && h.get("concurrent_streaming").asInt() == 0;
        });
    }

    @Override
    public void close() {
        server.close();
        upstreams.values().forEach(FakeUpstream::close);
    }
}
