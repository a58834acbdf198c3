package io.sluice.http;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** One ObjectMapper for the server, with limits, and the two ways a handler meets JSON. */
public final class Json {
    // Jackson's default buffer pool is per thread; with a virtual thread per request that is ~9 KB of
    // buffers per held stream (measured: 1,835 pools at 3,850 streams). A shared pool keeps a few.
    public static final ObjectMapper MAPPER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .recyclerPool(com.fasterxml.jackson.core.util.JsonRecyclerPools.sharedConcurrentDequePool()).build())
            .enable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS.mappedFeature())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxNumberLength(64)
                .maxNameLength(1024)
                .build());
    }

    private Json() {
    }

    /**
     * Reads the body as a JSON object: 415 unless application/json, 400 for anything that does not
     * parse, and 400 naming the field for a value no route can store ({@link BodyCheck}).
     */
    public static JsonNode readObject(ServerRequest req) {
        String type = req.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase("application/json")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be application/json" + (type.isEmpty() ? "" : ", not " + Text.clip(type, 100)));
        }
        byte[] body = req.context().get(ReceivedBody.class).map(ReceivedBody::bytes)   // received before admission
                .orElseGet(() -> req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0]);
        if (body.length == 0) {
            throw ApiException.badRequest(ErrorCode.INVALID_JSON, "request body is empty; expected a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw ApiException.badRequest(ErrorCode.INVALID_JSON, "malformed JSON: " + Text.clip(e.getOriginalMessage(), 200) + where);
        } catch (IOException e) {
            throw ApiException.badRequest(ErrorCode.INVALID_JSON, "unreadable body: " + Text.clip(e.getMessage(), 200));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest(ErrorCode.INVALID_JSON, "expected a JSON object");
        }
        BodyCheck.check(node);
        return node;
    }

    /** Sends a value as JSON with a content length (faster than a chunked copy). */
    public static void send(ServerResponse res, Object value) {
        res.header(HeaderValues.CONTENT_TYPE_JSON);
        res.send(bytes(value));
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize response", e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize", e);
        }
    }

}
