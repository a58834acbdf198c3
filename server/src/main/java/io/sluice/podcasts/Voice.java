package io.sluice.podcasts;

import io.sluice.audio.Wav;

/**
 * What a podcast needs from text-to-speech: one line of text in one voice, as PCM samples with their
 * format. Failures are {@link io.sluice.http.ApiException}s (bulkhead full, upstream timeout, ...),
 * which the runner turns into a retryable or final task failure. {@link SpeechVoice} is the audio
 * feature's TTS (its bulkhead and per-call timeout included) seen through this.
 */
@FunctionalInterface
public interface Voice {

    Spoken speak(String text, String voice, String requestId);

    /** Interleaved little-endian PCM samples and their format. */
    record Spoken(byte[] pcm, Wav.Format format) {
    }

    static long millis(Wav.Format f, long pcmBytes) {
        return pcmBytes * 1000 / f.bytesPerSecond();
    }
}
