package io.sluice.llm;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;

/**
 * What one upstream attempt sends: the client's request with the provider's model name, the
 * stream flag and, when streaming, {@code include_usage} ({@link ChatRequest#upstreamBody}).
 * The simulator reads it as a tree; a provider on the wire needs its bytes. For a non-streamed
 * request that arrived as bytes, those are the client's own bytes with the model's value swapped:
 * the tree copy and its serialisation cost a few percent of a chat request, and nothing else about
 * the body changes on the way (a body that needs more, e.g. a {@code stream_options} to drop,
 * takes the tree path).
 */
record UpstreamBody(ChatRequest request, String model) {

    ObjectNode tree() {
        return request.upstreamBody(model);
    }

    byte[] bytes() {
        byte[] spliced = request.stream() || request.raw() == null ? null : splice(request.raw(), model);
        return spliced != null ? spliced : Json.bytes(tree());
    }

    /**
     * {@code raw} with the top-level {@code model} value replaced and {@code "stream":false} added
     * when absent; null when the body is not that simple: no or repeated {@code model}, a
     * {@code stream} that is not the literal false, a {@code stream_options}, unexpected offsets.
     */
    static byte[] splice(byte[] raw, String model) {
        try (JsonParser p = Json.MAPPER.createParser(raw)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int open = (int) p.currentTokenLocation().getByteOffset();
            int modelStart = -1;
            int modelEnd = -1;
            boolean stream = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> {
                        if (modelStart >= 0 || value != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        modelStart = (int) p.currentTokenLocation().getByteOffset();
                        p.getText();   // reads the string to its closing quote
                        modelEnd = (int) p.currentLocation().getByteOffset();
                    }
                    case "stream" -> {
                        if (stream || value != JsonToken.VALUE_FALSE) {
                            return null;
                        }
                        stream = true;
                    }
                    case "stream_options" -> {
                        return null;
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || modelStart < 0 || !at(raw, open, '{') || !at(raw, modelStart, '"')
                    || !at(raw, modelEnd - 1, '"')) {
                return null;
            }
            byte[] name = quoted(model);
            byte[] flag = stream ? new byte[0] : STREAM_FALSE;
            byte[] out = new byte[raw.length - (modelEnd - modelStart) + name.length + flag.length];
            int o = 0;
            System.arraycopy(raw, 0, out, o, open + 1);
            o += open + 1;
            System.arraycopy(flag, 0, out, o, flag.length);
            o += flag.length;
            System.arraycopy(raw, open + 1, out, o, modelStart - open - 1);
            o += modelStart - open - 1;
            System.arraycopy(name, 0, out, o, name.length);
            o += name.length;
            System.arraycopy(raw, modelEnd, out, o, raw.length - modelEnd);
            return out;
        } catch (IOException | RuntimeException e) {
            return null;   // the tree path decides
        }
    }

    private static final byte[] STREAM_FALSE = "\"stream\":false,".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A JSON string, as bytes: Jackson's escaping, without a serializer look-up (half of the splice's cost). */
    private static byte[] quoted(String s) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] out = new byte[escaped.length + 2];
        out[0] = '"';
        System.arraycopy(escaped, 0, out, 1, escaped.length);
        out[out.length - 1] = '"';
        return out;
    }

    private static boolean at(byte[] raw, int i, char c) {
        return i >= 0 && i < raw.length && raw[i] == c;
    }
}
