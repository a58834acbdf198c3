package io.sluice.http;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input gets a 4xx with a JSON body naming the problem; never a 500, never a stack trace. */
class ErrorsTest {
    private static final int LIMIT = 4096;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("server.max-payload-size", String.valueOf(LIMIT)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void malformedJsonIs400NamingThePosition() {
        HttpResponse<String> r = server.postJson("/diag/echo", "{\"messages\": [1, 2");
        assertEquals(400, r.statusCode());
        assertEquals("invalid_json", json(r).at("/error/code").asText());
        assertTrue(json(r).at("/error/message").asText().contains("line 1"), r.body());
        assertFalse(json(r).at("/error/request_id").asText().isEmpty());
        assertEquals(r.headers().firstValue("X-Request-Id").orElse(""), json(r).at("/error/request_id").asText());
    }

    @Test
    void wellFormedJsonIsAccepted() {
        HttpResponse<String> r = server.postJson("/diag/echo", "{\"a\":[1,{\"b\":\"c\"}]}");
        assertEquals(200, r.statusCode());
        assertEquals("c", json(r).at("/echo/a/1/b").asText());
    }

    @Test
    void deepNestingAndNonObjectsAre400() {
        String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
        assertEquals(400, server.postJson("/diag/echo", deep).statusCode());
        assertEquals(400, server.postJson("/diag/echo", "[1,2]").statusCode());
        assertEquals(400, server.postJson("/diag/echo", "").statusCode());
        assertEquals(400, server.postJson("/diag/echo", "{} trailing").statusCode());
    }

    @Test
    void wrongContentTypeIs415() {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/diag/echo"))
                                                     .header("Content-Type", "text/plain")
                                                     .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(415, r.statusCode());
        assertEquals("unsupported_media_type", json(r).at("/error/code").asText());
    }

    @Test
    void unknownRouteIsJson404() {
        HttpResponse<String> r = server.get("/no/such/thing");
        assertEquals(404, r.statusCode());
        assertEquals("not_found", json(r).at("/error/code").asText());
    }

    @Test
    void badQueryParameterIs400() {
        HttpResponse<String> r = server.get("/diag/sleep?ms=forever");
        assertEquals(400, r.statusCode());
        assertTrue(json(r).at("/error/message").asText().contains("ms"));
    }

    @Test
    void oversizeBodyWithContentLengthIs413() {
        HttpResponse<String> r = server.postJson("/diag/echo", "{\"a\":\"" + "x".repeat(LIMIT * 2) + "\"}");
        assertEquals(413, r.statusCode());
    }

    @Test
    void oversizeChunkedBodyIs413() throws Exception {
        String response = raw("POST /diag/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                              LIMIT * 4);
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.contains("payload_too_large"), response);
        assertFalse(response.contains("Exception"), response);
        // The server is fine afterwards.
        assertEquals(200, server.get("/health").statusCode());
    }

    /** Sends a chunked JSON body of about the given size over a raw socket and returns the response. */
    private static String raw(String head, int bodySize) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            String prefix = "{\"a\":\"";
            writeChunk(out, prefix);
            try {
                for (int sent = 0; sent < bodySize; sent += 1024) {
                    writeChunk(out, "x".repeat(1024));
                }
                writeChunk(out, "\"}");
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException serverClosedEarly) {
                // the server may answer and close before the whole body is sent
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

    private static void writeChunk(OutputStream out, String data) throws java.io.IOException {
        byte[] bytes = data.getBytes(StandardCharsets.US_ASCII);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** The same mistake has the same code on every endpoint, and text PostgreSQL cannot store is a 400, not a 500. */
    @Test
    void hostileBodyFieldsAndParametersGetTheCataloguedCode() {
        String[][] cases = {
            // path, body, expected code
            {"/v1/sessions", "{\"title\":\"a\\u0000b\"}", "invalid_request"},
            {"/v1/sessions", "{\"title\":42}", "invalid_request"},
            {"/v1/sessions", "{\"user\":[\"x\"]}", "invalid_request"},
            {"/v1/sessions", "{\"model\":{}}", "invalid_request"},
            {"/api/llmchat/prompts", "{\"scene\":\"s1\",\"model\":\"sluice-sim\"}", "missing_field"},
            {"/api/llmchat/prompts", "{\"scene\":\"s1\",\"template\":7,\"model\":\"sluice-sim\"}", "invalid_request"},
            {"/api/llmchat/prompts", "{\"scene\":\"s1\",\"template\":\"t\",\"model\":\"sluice-sim\",\"params\":[]}", "invalid_request"},
            {"/api/llmchat/prompts", "{\"template\":\"t\",\"model\":\"sluice-sim\"}", "missing_field"},
            {"/v1/chat/completions", "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1e999}", "invalid_max_tokens"},
            {"/v1/chat/completions", "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":1}", "invalid_request"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = server.postJson(c[0], c[1]);
            assertEquals(400, r.statusCode(), c[0] + " " + c[1] + " -> " + r.body());
            assertEquals(c[2], json(r).at("/error/code").asText(), c[0] + " " + c[1] + " -> " + r.body());
            assertEquals("invalid_request_error", json(r).at("/error/type").asText());
        }
        HttpResponse<String> session = server.postJson("/v1/sessions", "{}");
        assertEquals(201, session.statusCode(), session.body());
        String id = json(session).get("id").asText();
        HttpResponse<String> sync = server.postJson("/v1/sessions/" + id + "/chat?sync=maybe", "{\"message\":\"hi\"}");
        assertEquals(400, sync.statusCode(), sync.body());
        assertEquals("invalid_parameter", json(sync).at("/error/code").asText());
        HttpResponse<String> nul = server.postJson("/v1/sessions/" + id + "/chat?sync=true", "{\"message\":\"a\\u0000b\"}");
        assertEquals(400, nul.statusCode(), nul.body());
        assertEquals("invalid_content", json(nul).at("/error/code").asText());
        HttpResponse<String> limit = server.get("/v1/sessions/" + id + "/messages?limit=99999999999999999999999");
        assertEquals("invalid_parameter", json(limit).at("/error/code").asText());
        HttpResponse<String> noSuch = server.get("/v1/sessions/%00%3Cscript%3E");
        assertEquals(404, noSuch.statusCode());
        assertEquals("session_not_found", json(noSuch).at("/error/code").asText());
        assertFalse(json(noSuch).at("/error/message").asText().contains("<"), noSuch.body());
    }
}
