package io.sluice.limits;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bodies are received before admission, so the memory they hold is capped across all clients: while
 * one large upload holds most of {@code admission.body-buffer-budget}, another body that does not
 * fit is refused at once with 503 {@code overloaded}; when the upload ends, its memory comes back.
 */
class BodyBudgetTest {
    private static final int BODY_TIMEOUT_SECONDS = 3;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "auth.enabled", "true",
                "auth.jwt-secret", "body-budget-test-secret-0123456789abcdef",
                "admission.body-buffer-budget", "64KB",
                // Long enough that a loaded machine still sends the refused login before the deadline cuts the upload.
                "admission.body-timeout", BODY_TIMEOUT_SECONDS + "s",
                "admission.body-min-rate", "0"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void bodiesBeyondTheBudgetAreRefusedAndTheBudgetComesBack() throws Exception {
        String small = login("nobody-0");
        try (Socket upload = new Socket("127.0.0.1", server.port())) {
            // Declares 60,000 bytes (the buffer for them is reserved at once), sends a few, then waits. It asks
            // for "100 Continue", which the server sends when the handler starts reading, i.e. once the buffer
            // is reserved: a clear signal, where a fixed 300 ms pause could be overrun by a loaded machine.
            OutputStream out = upload.getOutputStream();
            out.write(("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       + "Content-Length: 60000\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = upload.getInputStream();
            upload.setSoTimeout(30_000);
            String interim = readHead(in);
            assertTrue(interim.startsWith("HTTP/1.1 100"), "the server reads the upload: " + interim);
            out.write('{');
            out.flush();

            HttpResponse<String> refused = server.postJson("/api/auth/login", small);
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("overloaded", json(refused).at("/error/code").asText());

            upload.setSoTimeout(10_000);
            try {
                while (in.read() >= 0) {
                    // the body deadline cuts the upload
                }
            } catch (java.io.IOException e) {
                // reset: the server closed it, which is the point
            }
        }
        int[] attempt = {0};
        await("the upload's memory back in the budget", Duration.ofSeconds(5),
              () -> server.postJson("/api/auth/login", login("nobody-" + ++attempt[0])).statusCode() != 503);
        HttpResponse<String> read = server.postJson("/api/auth/login", login("nobody-last"));
        assertEquals(400, read.statusCode(), "a body that fits is read as usual: " + read.body());
        assertEquals("invalid_request", json(read).at("/error/code").asText(), "read and judged on its content");
    }

    /** The status line and headers of one response (up to the empty line). */
    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    /** A 20 KB login body (a password over the length limit: 400 once read). */
    private static String login(String user) {
        return "{\"username\":\"" + user + "\",\"password\":\"" + "x".repeat(20_000) + "\"}";
    }
}
