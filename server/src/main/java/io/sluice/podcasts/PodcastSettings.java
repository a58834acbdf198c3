package io.sluice.podcasts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import io.sluice.audio.AudioSettings;
import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;

/**
 * The {@code podcasts:} section: where audio files live, the model that writes scripts, how long a
 * script may be, how many lines render at once (never more than the TTS bulkhead admits), and the
 * pace and length of a progress stream.
 */
public record PodcastSettings(Path dir,
                              String model,
                              String ttsModel,
                              int defaultLines,
                              int maxLines,
                              int maxLineChars,
                              int parallelism,
                              Duration slotTimeout,
                              Duration pollInterval,
                              Duration pingInterval,
                              Duration eventsTimeout) {

    /**
     * @param models the configured chat models; {@code podcasts.model} must be one of them
     * @param audio the audio section; {@code podcasts.tts-model} must be one of its speech models
     */
    public static PodcastSettings from(ConfigReader c, Set<String> models, AudioSettings audio) {
        String model = c.string("podcasts.model").trim();
        if (!models.contains(model)) {
            throw new InvalidConfigException("podcasts.model", model, "not a configured model (llm.models: " + models + ")");
        }
        String ttsModel = c.string("podcasts.tts-model").trim();
        Set<String> speech = new TreeSet<>();
        audio.models().forEach((name, m) -> {
            if (m.kind() == AudioSettings.Kind.SPEECH) {
                speech.add(name);
            }
        });
        if (!speech.contains(ttsModel)) {
            throw new InvalidConfigException("podcasts.tts-model", ttsModel,
                                             "not a configured speech model (audio.models of kind speech: " + speech + ")");
        }
        String dir = c.string("podcasts.dir").trim();
        if (dir.isEmpty()) {
            throw new InvalidConfigException("podcasts.dir", dir, "must name a directory");
        }
        int maxLineChars = c.intAtLeast("podcasts.max-line-chars", 20);
        if (maxLineChars > audio.maxInputChars()) {
            throw new InvalidConfigException("podcasts.max-line-chars", String.valueOf(maxLineChars),
                                             "must be at most audio.max-input-chars (" + audio.maxInputChars() + "): every line is spoken whole");
        }
        int maxLines = c.intAtLeast("podcasts.max-lines", 2);
        int defaultLines = c.intAtLeast("podcasts.default-lines", 2);
        if (defaultLines > maxLines) {
            throw new InvalidConfigException("podcasts.default-lines", String.valueOf(defaultLines),
                                             "must be at most podcasts.max-lines (" + maxLines + ")");
        }
        return new PodcastSettings(Path.of(dir), model, ttsModel, defaultLines, maxLines,
                                   maxLineChars, c.intAtLeast("podcasts.parallelism", 1),
                                   c.duration("podcasts.slot-timeout"),
                                   c.duration("podcasts.poll-interval"), c.duration("podcasts.ping-interval"),
                                   c.duration("podcasts.events-timeout"));
    }

    /** Lines rendered at once: the configured parallelism, capped by the TTS bulkhead's concurrency. */
    public int parallelism(int ttsBulkhead) {
        return Math.max(1, Math.min(parallelism, ttsBulkhead));
    }
}
