package io.sluice.audio;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.helidon.metrics.api.MeterRegistry;
import io.sluice.limits.Bulkhead;

/**
 * The audio feature wired: its providers, text to speech under the {@code tts} bulkhead, speech to
 * text under the {@code asr} bulkhead. Closing it closes the providers' connections.
 */
public final class Audio implements AutoCloseable {
    private final Map<String, AudioProvider> providers = new LinkedHashMap<>();
    private final Speech speech;
    private final Transcription transcription;

    public Audio(AudioSettings s, Bulkhead tts, Bulkhead asr, MeterRegistry registry) {
        // The socket read timeout is a backstop under the per-call timeouts, which end a call first.
        Duration backstop = (s.ttsTimeout().compareTo(s.asrTimeout()) > 0 ? s.ttsTimeout() : s.asrTimeout()).plusSeconds(5);
        s.providers().forEach((name, p) -> providers.put(name, p.simulated()
                ? new SimulatedAudio(p)
                : new OpenAiCompatibleAudio(p, s.connectTimeout(), backstop)));
        Router router = new Router(providers, new AudioMeters(registry));
        this.speech = new Speech(s, providers, tts, router);
        this.transcription = new Transcription(s, asr, router);
    }

    /** Text to speech, for /v1/audio/speech and for other features (podcasts). */
    public Speech speech() {
        return speech;
    }

    public Transcription transcription() {
        return transcription;
    }

    @Override
    public void close() {
        for (AudioProvider p : providers.values()) {
            if (p instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing idle keep-alive connections at shutdown: nothing to do about a failure
                }
            }
        }
    }
}
