package io.sluice.loadtest.bench;

import java.io.InputStream;
import java.time.Duration;
import java.util.Map;

import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The yardstick of {@code make bench}: the least a Helidon 4 gateway can do, with Sluice's socket
 * settings and nothing else. {@code GET /} answers a small JSON; {@code POST /v1/chat/completions}
 * forwards the body to UPSTREAM with Helidon's blocking WebClient (keep-alive, tcp-no-delay both
 * ways), reads the answer whole and sends it with a content-length. What Sluice costs beyond these
 * two routes is the price of its features.
 * Usage: {@code java -cp loadtest/target/sluice-loadtest.jar io.sluice.loadtest.bench.BareHelidon PORT [UPSTREAM]},
 * UPSTREAM e.g. {@code http://127.0.0.1:19090}.
 */
public final class BareHelidon {
    private final WebClient client;

    private BareHelidon(String upstream) {
        this.client = WebClient.builder()
                .baseUri(upstream)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(60))
                .keepAlive(true)
                .followRedirects(false)
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                .connectionCacheSize(30_000)
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .build();
    }

    public static void main(String[] args) {
        Config config = Config.just(ConfigSources.create(Map.of(
                "server.host", "127.0.0.1",
                "server.port", args.length > 0 ? args[0] : "0",
                "server.connection-options.tcp-no-delay", "true")));
        BareHelidon bare = new BareHelidon(args.length > 1 ? args[1] : "http://127.0.0.1:9090");
        WebServer server = WebServer.builder()
                .config(config.get("server"))
                .featuresDiscoverServices(false)
                .routing(r -> r.get("/", (req, res) -> res.header("Content-Type", "application/json")
                                .send("{\"status\":\"UP\"}"))
                        .post("/v1/chat/completions", bare::chat))
                .build()
                .start();
        System.out.println("bare Helidon on port " + server.port());
    }

    /** Body in whole, out whole: the same buffering Sluice does for a non-streamed chat. */
    private void chat(ServerRequest req, ServerResponse res) throws Exception {
        byte[] body;
        try (InputStream in = req.content().inputStream()) {
            body = in.readAllBytes();
        }
        try (HttpClientResponse up = client.post("/v1/chat/completions")
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .header(HeaderNames.ACCEPT, "application/json")
                .submit(body)) {
            byte[] answer = up.inputStream().readAllBytes();
            res.status(Status.create(up.status().code()))
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send(answer);
        }
    }
}
