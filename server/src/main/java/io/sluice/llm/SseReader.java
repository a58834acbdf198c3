package io.sluice.llm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/**
 * Reads an upstream's server-sent events and hands each event's data on as soon as its blank
 * line arrives: no buffering beyond one event. Comments, ids and event names are ignored;
 * {@code [DONE]} ends the stream; an {@code {"error":...}} event fails it.
 */
final class SseReader {
    private static final int MAX_EVENT = 1 << 20;

    private SseReader() {
    }

    static void read(InputStream in, Provider.Delivery delivery, String provider)
            throws IOException, InterruptedException, UpstreamException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1024);
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null && dispatch(data.toString(), delivery, provider)) {
                    drain(reader);
                    return;
                }
                data = null;
            } else if (line.startsWith("data:")) {
                String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                if (data.length() > MAX_EVENT) {
                    throw UpstreamException.broken(provider, "an event larger than " + MAX_EVENT + " characters");
                }
            }
        }
        if (data == null || !dispatch(data.toString(), delivery, provider)) {
            delivery.done();   // the upstream closed the stream without [DONE]: what arrived is the answer
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
    private static void drain(BufferedReader reader) throws IOException {
        while (reader.readLine() != null) {
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
