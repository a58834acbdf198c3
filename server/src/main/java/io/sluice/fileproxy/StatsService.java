package io.sluice.fileproxy;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.sluice.http.Json;

/**
 * {@code GET /stats}: the file proxy's operator view (JSON), like {@code /metrics}: no credentials, no
 * admission permit, so it answers while the proxy is saturated.
 */
public final class StatsService implements HttpService {
    private final FileProxy proxy;

    public StatsService(FileProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/stats", (req, res) -> Json.send(res, proxy.stats()));
    }
}
