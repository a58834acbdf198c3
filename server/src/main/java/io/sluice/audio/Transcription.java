package io.sluice.audio;

import java.util.List;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.http.Text;
import io.sluice.limits.Bulkhead;

/**
 * Speech to text: the configured transcription models, each call under the {@code asr} bulkhead
 * and each upstream call bounded by {@code audio.asr-timeout}.
 */
public final class Transcription {
    private final AudioSettings settings;
    private final Bulkhead bulkhead;
    private final Router router;

    Transcription(AudioSettings settings, Bulkhead bulkhead, Router router) {
        this.settings = settings;
        this.bulkhead = bulkhead;
        this.router = router;
    }

    /** The transcript of one file in {@code format} (json, text, verbose_json); 404 for an unknown model. */
    AudioProvider.Transcript transcribe(String model, Multipart.Part file, String language, String format) {
        AudioSettings.Model m = require(model);
        return router.call("transcription", m, p -> true, bulkhead, settings.asrTimeout(), () -> false,
                           (p, target) -> p.transcribe(new AudioProvider.TranscriptionRequest(target.model(), file, language, format)));
    }

    AudioSettings.Model require(String name) {
        AudioSettings.Model m = settings.models().get(name);
        if (m == null || m.kind() != AudioSettings.Kind.TRANSCRIPTION) {
            throw ApiException.notFound(ErrorCode.MODEL_NOT_FOUND, "model: no transcription model '" + Text.clip(name, 64)
                    + "' (configured: " + models() + ")");
        }
        return m;
    }

    public List<String> models() {
        return settings.models().values().stream().filter(m -> m.kind() == AudioSettings.Kind.TRANSCRIPTION)
                .map(AudioSettings.Model::name).toList();
    }

    long maxUploadSize() {
        return settings.maxUploadSize();
    }
}
