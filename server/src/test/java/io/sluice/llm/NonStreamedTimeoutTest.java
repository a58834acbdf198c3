package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A non-streamed upstream call runs on the request's own thread; its total timeout still holds
 * against an upstream that trickles its answer (every read arrives within the socket timeout, the
 * whole never within the total), and the thread goes on clean: the next request on it is served.
 */
class NonStreamedTimeoutTest {
    private static final Trickle TRICKLE = new Trickle();

    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("good", Map.of(
            "llm.providers.trickle.type", "openai-compatible",
            "llm.providers.trickle.base-url", "http://127.0.0.1:" + TRICKLE.port() + "/v1",
            "llm.models.slow.route", "trickle:x-model",
            "llm.models.ok.route", "good:a-model",
            "llm.upstream.total-timeout", "800ms",
            "llm.retry.max-attempts", "1"));

    @AfterAll
    static void stop() throws IOException {
        TRICKLE.close();
    }

    private static HttpResponse<String> chat(TestServer server, String model) {
        return server.postJson("/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void tricklingAnswerIsCutAtTheTotalTimeoutAndTheNextRequestIsServed() {
        TestServer server = gateway.server();
        long start = System.nanoTime();
        HttpResponse<String> r = chat(server, "slow");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("upstream_timeout", json(r).at("/error/code").asText());
        assertTrue(ms >= 700 && ms < 3000, "cut at the total timeout: " + ms + " ms");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = chat(server, "ok");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("chat.completion", json(ok).path("object").asText());
        }
    }

    /** Answers every request with a 200 whose body arrives one byte every 100 ms (60 s in all). */
    private static final class Trickle implements AutoCloseable {
        private final ServerSocket socket;

        Trickle() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.read(new byte[65536]);   // the request (small); its content is irrelevant here
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n"
                                  .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (int i = 0; i < 600; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // the gateway hung up: what the test expects
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
