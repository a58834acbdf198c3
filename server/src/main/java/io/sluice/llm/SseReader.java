package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/**
 * Reads an upstream's server-sent events and hands each event's data on as soon as its blank
 * line arrives: no buffering beyond one event, no line or event longer than {@code maxLine}.
 * Comments, ids and event names are ignored; {@code [DONE]} ends the stream; an
 * {@code {"error":...}} event fails it, and so does a stream that ends without {@code [DONE]}
 * (cut short: what arrived must not pass for a whole answer).
 */
final class SseReader {
    private SseReader() {
    }

    static void read(InputStream in, int maxLine, Provider.Delivery delivery, String provider)
            throws IOException, InterruptedException, UpstreamException {
        SseLines lines = new SseLines(in, maxLine, provider);
        StringBuilder data = null;
        String line;
        while ((line = lines.next()) != null) {
            if (line.isEmpty()) {
                if (data != null && dispatch(data.toString(), delivery, provider)) {
                    drain(lines);
                    return;
                }
                data = null;
            } else if (line.startsWith("data:")) {
                String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                if (data.length() > maxLine) {
                    throw UpstreamException.invalid(provider, "an event larger than " + maxLine + " characters");
                }
            }
        }
        if (data == null || !dispatch(data.toString(), delivery, provider)) {
            throw UpstreamException.invalid(provider, "the stream ended without [DONE]");
        }
    }

    /** Returns true at [DONE]. */
    private static boolean dispatch(String data, Provider.Delivery delivery, String provider)
            throws InterruptedException, UpstreamException {
        if (data.equals("[DONE]")) {
            delivery.done();
            return true;
        }
        if (data.contains("\"error\"") && !data.contains("\"choices\"")) {
            JsonNode error = parse(data).path("error");
            if (!error.isMissingNode()) {
                throw UpstreamException.broken(provider, "error event: " + error.path("message").asText("unknown"));
            }
        }
        delivery.chunk(data);
        return false;
    }

    /** Reads to the end of the response, so the connection can go back to the keep-alive pool. */
    private static void drain(SseLines lines) throws IOException, UpstreamException {
        while (lines.next() != null) {
            // nothing follows [DONE] but the end of the chunked body
        }
    }

    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
