package io.sluice.audio;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Text;
import io.sluice.limits.Bulkhead;

/**
 * Text to speech: the configured speech models, each call under the {@code tts} bulkhead and each
 * upstream call bounded by {@code audio.tts-timeout}. What {@code POST /v1/audio/speech} streams
 * from, and what other features call to render a line ({@link #synthesize}).
 */
public final class Speech {
    public static final double MIN_SPEED = 0.25;
    public static final double MAX_SPEED = 4.0;

    private final AudioSettings settings;
    private final Map<String, AudioSettings.Model> models;
    private final Map<String, AudioProvider> providers;
    private final Bulkhead bulkhead;
    private final Router router;

    Speech(AudioSettings settings, Map<String, AudioProvider> providers, Bulkhead bulkhead, Router router) {
        this.settings = settings;
        this.models = settings.models();
        this.providers = providers;
        this.bulkhead = bulkhead;
        this.router = router;
    }

    /**
     * One line as a whole WAV file (16-bit mono 24 kHz PCM; {@link Wav} reads and joins them). Blocks
     * the calling thread: waits for a {@code tts} slot (503 {@code bulkhead_full}/{@code bulkhead_timeout}
     * when none comes), then each upstream call ends within {@code audio.tts-timeout} (504
     * {@code upstream_timeout}). 400 for an empty or too long text, a bad speed or voice; 404 for an unknown model.
     */
    public byte[] synthesize(String model, String voice, String text, double speed) {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        speak(model, voice, text, speed, "pcm", new AudioSink() {
            @Override
            public void start(String contentType) {
                pcm.reset();   // a provider that failed before this start left nothing that counts
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                pcm.write(bytes, offset, length);
            }
        });
        return Wav.wrap(pcm.toByteArray());
    }

    /**
     * Renders {@code text} in {@code format} (wav, pcm, or what the model's providers speak) into the
     * sink as the audio arrives; the same limits as {@link #synthesize}.
     */
    public void speak(String model, String voice, String text, double speed, String format, AudioSink sink) {
        AudioSettings.Model m = require(model);
        check(voice, text, speed);
        List<String> formats = formats(m);
        if (!formats.contains(format)) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "response_format: '" + Text.clip(format, 32)
                    + "' is not supported by model " + m.name() + "; supported: " + String.join(", ", formats));
        }
        Started started = new Started(sink);
        router.call("speech", m, p -> p.speaks(format), bulkhead, settings.ttsTimeout(), started::value, (p, target) -> {
            p.speak(new AudioProvider.SpeechRequest(target.model(), voice, text, speed, format), started);
            return null;
        });
    }

    /** The response formats some provider of the model's route speaks, in the first provider's order. */
    public List<String> formats(String model) {
        return formats(require(model));
    }

    private List<String> formats(AudioSettings.Model m) {
        return m.route().stream().map(t -> providers.get(t.provider()))
                .flatMap(p -> AudioSettings.OPENAI_FORMATS.stream().filter(p::speaks)).distinct().toList();
    }

    /** The names of the speech models. */
    public List<String> models() {
        return models.values().stream().filter(m -> m.kind() == AudioSettings.Kind.SPEECH).map(AudioSettings.Model::name).toList();
    }

    /** Most renderings in flight at once (the {@code tts} bulkhead's limit): a caller's parallelism should not exceed it. */
    public int maxConcurrent() {
        return bulkhead.maxConcurrent();
    }

    /** Renderings in flight now. */
    public int inFlight() {
        return bulkhead.inFlight();
    }

    public int maxInputChars() {
        return settings.maxInputChars();
    }

    AudioSettings.Model require(String name) {
        AudioSettings.Model m = models.get(name);
        if (m == null || m.kind() != AudioSettings.Kind.SPEECH) {
            throw ApiException.notFound(ErrorCode.MODEL_NOT_FOUND, "model: no speech model '" + Text.clip(name, 64)
                    + "' (configured: " + models() + ")");
        }
        return m;
    }

    private void check(String voice, String text, double speed) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "input: must not be empty");
        }
        if (text.length() > settings.maxInputChars()) {
            throw ApiException.badRequest(ErrorCode.CONTENT_TOO_LARGE, "input: at most " + settings.maxInputChars()
                    + " characters (audio.max-input-chars), got " + text.length());
        }
        if (voice == null || voice.isBlank() || voice.length() > 64) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "voice: required, 1 to 64 characters");
        }
        if (!(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
            throw ApiException.badRequest(ErrorCode.INVALID_PARAMETER, "speed: must be between " + MIN_SPEED + " and " + MAX_SPEED);
        }
    }

    /** Passes the audio on and remembers whether any of it went out (then there is no fallback). */
    private static final class Started implements AudioSink {
        private final AudioSink sink;
        private volatile boolean value;

        Started(AudioSink sink) {
            this.sink = sink;
        }

        boolean value() {
            return value;
        }

        @Override
        public void start(String contentType) throws java.io.IOException {
            sink.start(contentType);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            value = true;
            sink.write(bytes, offset, length);
        }
    }
}
