package io.sluice.audio;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.http.Json;

/** A transcript in OpenAI's response formats: json {@code {text}}, text, verbose_json (language, duration, segments). */
final class Transcripts {
    static final List<String> FORMATS = List.of("json", "text", "verbose_json");

    private Transcripts() {
    }

    static AudioProvider.Transcript render(String format, String text, double seconds, String language) {
        return switch (format) {
            case "text" -> new AudioProvider.Transcript((text + "\n").getBytes(StandardCharsets.UTF_8),
                                                        "text/plain; charset=utf-8", seconds);
            case "verbose_json" -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("task", "transcribe");
                body.put("language", language == null ? "english" : language);
                body.put("duration", seconds);
                body.put("text", text);
                Map<String, Object> segment = new LinkedHashMap<>();
                segment.put("id", 0);
                segment.put("start", 0.0);
                segment.put("end", seconds);
                segment.put("text", text);
                body.put("segments", List.of(segment));
                yield new AudioProvider.Transcript(Json.bytes(body), "application/json", seconds);
            }
            default -> new AudioProvider.Transcript(Json.bytes(Map.of("text", text)), "application/json", seconds);
        };
    }
}
