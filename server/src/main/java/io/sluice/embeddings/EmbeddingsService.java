package io.sluice.embeddings;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Fields;
import io.sluice.http.Json;

/**
 * OpenAI's {@code POST /v1/embeddings}: {@code input} a string or an array of strings (at most
 * {@code embeddings.max-batch}), {@code encoding_format} float (default) or base64 (little-endian
 * float32, what OpenAI's SDKs decode), the answer {@code {object: list, data, model, usage}}.
 */
public final class EmbeddingsService implements HttpService {
    private final Embeddings embeddings;
    private final EmbeddingSettings settings;

    public EmbeddingsService(Embeddings embeddings) {
        this.embeddings = embeddings;
        this.settings = embeddings.settings();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/embeddings", this::embed);
    }

    private void embed(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(req);
        String model = Fields.requiredText(body, "model", 128);
        List<String> inputs = inputs(body.get("input"));
        boolean base64 = base64(Fields.optionalText(body, "encoding_format", 16));
        if (!embeddings.has(model)) {
            throw ApiException.notFound(ErrorCode.MODEL_NOT_FOUND, "model: no embedding model '" + model + "'");
        }
        Embedder.Vectors v = embeddings.embed(model, inputs);
        List<Map<String, Object>> data = new ArrayList<>(inputs.size());
        for (int i = 0; i < v.vectors().size(); i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("object", "embedding");
            item.put("index", i);
            item.put("embedding", base64 ? encode(v.vectors().get(i)) : v.vectors().get(i));
            data.add(item);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("object", "list");
        answer.put("data", data);
        answer.put("model", model);
        answer.put("usage", Map.of("prompt_tokens", v.promptTokens(), "total_tokens", v.promptTokens()));
        Json.send(res, answer);
    }

    private List<String> inputs(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ApiException.badRequest(ErrorCode.MISSING_FIELD, "input: required, a string or an array of strings");
        }
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) {
            inputs.add(check(input.asText(), "input"));
        } else if (input.isArray()) {
            if (input.isEmpty() || input.size() > settings.maxBatch()) {
                throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER,
                        "input: an array of 1 to " + settings.maxBatch() + " strings, got " + input.size());
            }
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isTextual()) {
                    throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER,
                            "input[" + i + "]: must be a string (token arrays are not supported)");
                }
                inputs.add(check(item.asText(), "input[" + i + "]"));
            }
        } else {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "input: must be a string or an array of strings");
        }
        return inputs;
    }

    private String check(String s, String field) {
        if (s.isEmpty()) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, field + ": must not be empty");
        }
        if (s.length() > settings.maxInputChars()) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER,
                    field + ": at most " + settings.maxInputChars() + " characters, got " + s.length());
        }
        return s;
    }

    private static boolean base64(String format) {
        if (format == null || format.equals("float")) {
            return false;
        }
        if (format.equals("base64")) {
            return true;
        }
        throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "encoding_format: must be float or base64");
    }

    /** Little-endian float32, base64: what OpenAI sends and its SDKs decode. */
    static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
