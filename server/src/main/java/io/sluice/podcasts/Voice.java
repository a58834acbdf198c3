package io.sluice.podcasts;

/**
 * What a podcast needs from text-to-speech: one line of text in one voice, as PCM samples with their
 * format. Failures are {@link io.sluice.http.ApiException}s (bulkhead full, upstream timeout, ...),
 * which the runner turns into a retryable or final task failure. The wiring adapts the audio
 * feature's TTS service (its bulkhead and per-call timeout included) to this.
 */
@FunctionalInterface
public interface Voice {

    Speech speak(String text, String voice, String requestId);

    /** Interleaved little-endian PCM samples and their format. */
    record Speech(byte[] pcm, PcmFormat format) {
    }

    /** The format of PCM data; segments of one podcast must all share one to be joined. */
    record PcmFormat(int sampleRate, int channels, int bitsPerSample) {

        public int bytesPerSecond() {
            return sampleRate * channels * bitsPerSample / 8;
        }

        public long millis(long pcmBytes) {
            return pcmBytes * 1000 / bytesPerSecond();
        }
    }
}
