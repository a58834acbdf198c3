package io.sluice.llm;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** Response headers naming who answered, so a simulated answer is never mistaken for a model's. */
final class ProviderHeaders {
    static final HeaderName PROVIDER = HeaderNames.create("X-Sluice-Provider");
    static final HeaderName SIMULATED = HeaderNames.create("X-Sluice-Simulated");

    private ProviderHeaders() {
    }

    static void add(ServerResponse res, Provider provider) {
        res.header(PROVIDER, provider.name());
        res.header(SIMULATED, String.valueOf(provider.simulated()));
    }
}
