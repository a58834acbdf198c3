package io.sluice.embeddings;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.GatewayExtension;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /v1/embeddings with the built-in model, read as OpenAI's SDKs read it: floats, base64, batches, errors. */
class EmbeddingsTest {
    @RegisterExtension
    static final GatewayExtension gateway = new GatewayExtension("fake", Map.of(
            "embeddings.max-batch", "4",
            "embeddings.models.remote.name", "text-embedding-3-small",
            "embeddings.models.remote.route", "fake:upstream-embedder"));
    private static final String MODEL = "all-minilm-l6-v2";

    @Test
    void floatsAndBase64InOpenAisShape() {
        JsonNode floats = ok("{\"model\":\"" + MODEL + "\",\"input\":\"What's the capital of France?\"}");
        assertEquals("list", floats.path("object").asText());
        assertEquals(MODEL, floats.path("model").asText());
        JsonNode item = floats.path("data").get(0);
        assertEquals("embedding", item.path("object").asText());
        assertEquals(0, item.path("index").asInt());
        float[] v = floats(item.path("embedding"));
        assertEquals(384, v.length);
        assertEquals(1.0, norm(v), 1e-3, "unit length");
        assertTrue(floats.at("/usage/prompt_tokens").asInt() > 0);
        assertEquals(floats.at("/usage/prompt_tokens").asInt(), floats.at("/usage/total_tokens").asInt());

        JsonNode b64 = ok("{\"model\":\"" + MODEL + "\",\"input\":\"What's the capital of France?\",\"encoding_format\":\"base64\"}");
        // What the SDKs do: base64-decode, read little-endian float32.
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.at("/data/0/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[bytes.remaining() / 4];
        bytes.asFloatBuffer().get(decoded);
        assertArrayEquals(v, decoded);

        long[] nanos = new long[10];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            ok("{\"model\":\"" + MODEL + "\",\"input\":\"what is the capital city of France " + i + "\"}");
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("embedding cost per request (built-in model, one short input, HTTP included): p50 %.1f ms, max %.1f ms%n",
                          nanos[nanos.length / 2] / 1e6, nanos[nanos.length - 1] / 1e6);
    }

    @Test
    void aBatchKeepsItsOrder() {
        JsonNode batch = ok("{\"model\":\"" + MODEL + "\",\"input\":[\"What's the capital of France?\","
                + "\"How do I bake sourdough bread?\",\"what is the capital city of France\"]}");
        assertEquals(3, batch.path("data").size());
        float[][] v = new float[3][];
        for (int i = 0; i < 3; i++) {
            assertEquals(i, batch.path("data").get(i).path("index").asInt());
            v[i] = floats(batch.path("data").get(i).path("embedding"));
        }
        assertTrue(dot(v[0], v[2]) > dot(v[0], v[1]) + 0.3, "the paraphrase is nearer than the bread");
    }

    @Test
    void anOpenAiCompatibleProviderServesItsModel() {
        JsonNode r = ok("{\"model\":\"text-embedding-3-small\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}");
        assertEquals("text-embedding-3-small", r.path("model").asText(), "the public name, not the upstream's");
        assertEquals(2, r.path("data").size());
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(r.at("/data/1/embedding").asText())).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[3];
        bytes.asFloatBuffer().get(v);
        assertArrayEquals(new float[] {2f, 0.5f, -0.25f}, v, "the upstream's floats, re-encoded");
        assertEquals(7, r.at("/usage/prompt_tokens").asInt(), "the upstream's count");
    }

    @Test
    void badInputIsA400NamingTheField() {
        assertError(400, "missing_field", "input", "{\"model\":\"" + MODEL + "\"}");
        assertError(400, "missing_field", "model", "{\"input\":\"x\"}");
        assertError(400, "invalid_parameter", "input", "{\"model\":\"" + MODEL + "\",\"input\":[]}");
        assertError(400, "invalid_parameter", "input", "{\"model\":\"" + MODEL + "\",\"input\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}");
        assertError(400, "invalid_parameter", "input[1]", "{\"model\":\"" + MODEL + "\",\"input\":[\"a\",42]}");
        assertError(400, "invalid_parameter", "input", "{\"model\":\"" + MODEL + "\",\"input\":\"\"}");
        assertError(400, "invalid_parameter", "input", "{\"model\":\"" + MODEL + "\",\"input\":{\"a\":1}}");
        assertError(400, "invalid_parameter", "encoding_format", "{\"model\":\"" + MODEL + "\",\"input\":\"a\",\"encoding_format\":\"hex\"}");
        assertError(404, "model_not_found", "model", "{\"model\":\"nope\",\"input\":\"a\"}");
    }

    private static void assertError(int status, String code, String field, String body) {
        HttpResponse<String> res = gateway.server().postJson("/v1/embeddings", body);
        assertEquals(status, res.statusCode(), body + " -> " + res.body());
        JsonNode error = TestServer.json(res).path("error");
        assertEquals(code, error.path("code").asText(), res.body());
        assertTrue(error.path("message").asText().startsWith(field + ":"), res.body());
    }

    private static JsonNode ok(String body) {
        HttpResponse<String> res = gateway.server().postJson("/v1/embeddings", body);
        assertEquals(200, res.statusCode(), res.body());
        return TestServer.json(res);
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    private static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }
}
