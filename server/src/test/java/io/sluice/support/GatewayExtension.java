package io.sluice.support;

import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link TestGateway} for a whole test class, as a static {@code @RegisterExtension} field:
 * started before the class, the fakes reset before each test, every permit checked back after each
 * test, closed after the class. The set-up and tear-down test classes used to write out.
 */
public final class GatewayExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final String[] providers;
    private final Map<String, String> overrides;
    private TestGateway gateway;

    public GatewayExtension(String provider, Map<String, String> overrides) {
        this(new String[] {provider}, overrides);
    }

    public GatewayExtension(String[] providers, Map<String, String> overrides) {
        this.providers = providers;
        this.overrides = overrides;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        gateway = TestGateway.start(providers, overrides);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        gateway.reset();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        gateway.awaitPermitsReturned();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (gateway != null) {
            gateway.close();
        }
    }

    public TestServer server() {
        return gateway.server();
    }

    public FakeUpstream upstream() {
        return gateway.upstream();
    }

    public FakeUpstream upstream(String provider) {
        return gateway.upstream(provider);
    }
}
