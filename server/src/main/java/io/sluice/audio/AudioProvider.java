package io.sluice.audio;

import java.io.IOException;

/**
 * An upstream that speaks (TTS) and transcribes (ASR) in OpenAI's protocol. Each call blocks the
 * calling (virtual) thread and must stop promptly when that thread is interrupted: that is how the
 * per-call timeout ends it. Failures are {@link io.sluice.http.ApiException}s; a 5xx one before any
 * audio reached the sink lets the caller fall back to the next provider of the model's route.
 */
interface AudioProvider {
    String name();

    boolean simulated();

    /** True when {@code /audio/speech} can answer in this response_format. */
    boolean speaks(String format);

    /** Renders {@code text}; the audio goes to {@code sink} as it arrives. */
    void speak(SpeechRequest request, AudioSink sink) throws IOException, InterruptedException;

    /** The transcript of one uploaded file, in the requested response_format. */
    Transcript transcribe(TranscriptionRequest request) throws InterruptedException;

    /** @param format wav, pcm, or (openai-compatible) mp3, opus, aac, flac */
    record SpeechRequest(String upstreamModel, String voice, String text, double speed, String format) {
    }

    /** @param language ISO-639-1 or null; {@code format} json, text or verbose_json */
    record TranscriptionRequest(String upstreamModel, Multipart.Part file, String language, String format) {
    }

    /** The body to send back as is; {@code seconds} the audio's length when known (else -1). */
    record Transcript(byte[] body, String contentType, double seconds) {
    }
}
