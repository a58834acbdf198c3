package io.sluice.diag;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

/**
 * A bare Helidon server with one small JSON route and the same socket settings as Sluice, started
 * by {@code make bench} as the baseline that shows what Sluice's filters cost.
 * Usage: {@code java -cp server/target/sluice.jar io.sluice.diag.BareHelidon PORT}.
 */
public final class BareHelidon {
    private BareHelidon() {
    }

    public static void main(String[] args) {
        Config config = Config.just(ConfigSources.create(Map.of(
                "server.host", "127.0.0.1",
                "server.port", args.length > 0 ? args[0] : "0",
                "server.connection-options.tcp-no-delay", "true")));
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .featuresDiscoverServices(false)
                .routing(r -> r.get("/", (req, res) -> res.header("Content-Type", "application/json")
                        .send("{\"status\":\"UP\"}")))
                .build()
                .start();
        System.out.println("bare Helidon on port " + server.port());
    }
}
