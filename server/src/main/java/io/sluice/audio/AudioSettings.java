package io.sluice.audio;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.sluice.config.ConfigReader;
import io.sluice.config.ConfigReader.InvalidConfigException;
import io.sluice.config.Secret;

/**
 * The {@code audio:} section: request limits, the per-call timeouts, the providers
 * ({@code simulated} or {@code openai-compatible}) and the models, each a speech (TTS) or a
 * transcription (ASR) model routed to providers in fallback order, as chat models are.
 */
public record AudioSettings(int maxInputChars,
                            long maxUploadSize,
                            Duration ttsTimeout,
                            Duration asrTimeout,
                            Duration connectTimeout,
                            Map<String, Provider> providers,
                            Map<String, Model> models) {

    public static final String SIMULATED = "simulated";
    public static final String OPENAI_COMPATIBLE = "openai-compatible";
    /** What OpenAI's /audio/speech can answer with, the default of an openai-compatible provider's {@code formats}. */
    static final List<String> OPENAI_FORMATS = List.of("mp3", "opus", "aac", "flac", "wav", "pcm");
    static final List<String> SIMULATED_FORMATS = List.of("wav", "pcm");

    public enum Kind { SPEECH, TRANSCRIPTION }

    /**
     * One {@code audio.providers.<name>}. Simulated: {@code latency} before the audio or the
     * transcript starts, {@code chars-per-second} the speaking rate (audio lasts chars / rate / speed).
     */
    public record Provider(String name, String type, String baseUrl, @Secret String apiKey, List<String> formats,
                           Duration latency, int charsPerSecond) {
        public boolean simulated() {
            return type.equals(SIMULATED);
        }

        @Override
        public String toString() {   // never print the key
            return "Provider[" + name + ", " + type + ", " + baseUrl + "]";
        }
    }

    public record Target(String provider, String model) {
    }

    /** A public model name, what it does, and where it is served in fallback order. */
    public record Model(String name, Kind kind, List<Target> route) {
    }

    public static AudioSettings from(ConfigReader c) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        for (String name : c.names("audio.providers")) {
            providers.put(name, provider(c, name));
        }
        Map<String, Model> models = new LinkedHashMap<>();
        for (String id : c.names("audio.models")) {
            Model m = model(c, id, providers.keySet());
            if (models.putIfAbsent(m.name(), m) != null) {
                throw new InvalidConfigException("audio.models." + id + ".name", m.name(), "duplicate model name");
            }
        }
        long upload = c.size("audio.max-upload-size");
        if (upload < 1024) {
            throw new InvalidConfigException("audio.max-upload-size", String.valueOf(upload), "must be at least 1KB");
        }
        return new AudioSettings(c.intAtLeast("audio.max-input-chars", 1), upload,
                                 c.duration("audio.tts-timeout"), c.duration("audio.asr-timeout"),
                                 c.duration("audio.connect-timeout"),
                                 Collections.unmodifiableMap(providers), Collections.unmodifiableMap(models));
    }

    private static Provider provider(ConfigReader c, String name) {
        String key = "audio.providers." + name;
        String type = c.oneOf(key + ".type", Set.of(SIMULATED, OPENAI_COMPATIBLE));
        String baseUrl = c.stringOr(key + ".base-url", "").trim().replaceAll("/+$", "");
        String apiKey = c.stringOr(key + ".api-key", "").trim();
        if (type.equals(OPENAI_COMPATIBLE)) {
            if (baseUrl.isEmpty()) {
                throw new InvalidConfigException(key + ".base-url", "", "required for an openai-compatible provider");
            }
            try {
                URI uri = URI.create(baseUrl);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(key + ".base-url", baseUrl, "not an http(s) URL");
            }
        }
        List<String> formats = type.equals(SIMULATED) ? SIMULATED_FORMATS : formats(c, key + ".formats");
        Duration latency = c.exists(key + ".latency") ? c.duration(key + ".latency") : Duration.ofMillis(200);
        int cps = c.exists(key + ".chars-per-second") ? c.intAtLeast(key + ".chars-per-second", 1) : 15;
        return new Provider(name, type, baseUrl, apiKey, formats, latency, cps);
    }

    private static List<String> formats(ConfigReader c, String key) {
        if (!c.exists(key)) {
            return OPENAI_FORMATS;
        }
        String raw = c.string(key);
        Set<String> out = new LinkedHashSet<>();
        for (String f : raw.split(",")) {
            String v = f.trim().toLowerCase(Locale.ROOT);
            if (!OPENAI_FORMATS.contains(v)) {
                throw new InvalidConfigException(key, raw, "each format must be one of " + OPENAI_FORMATS);
            }
            out.add(v);
        }
        return List.copyOf(out);
    }

    private static Model model(ConfigReader c, String id, Set<String> providers) {
        String key = "audio.models." + id;
        String name = c.stringOr(key + ".name", id).trim();
        if (name.isEmpty() || name.length() > 128) {
            throw new InvalidConfigException(key + ".name", name, "must be 1 to 128 characters");
        }
        Kind kind = Kind.valueOf(c.oneOf(key + ".kind", Set.of("speech", "transcription")).toUpperCase(Locale.ROOT));
        String route = c.string(key + ".route");
        List<Target> targets = new ArrayList<>();
        for (String part : route.split(",")) {
            String p = part.trim();
            int colon = p.indexOf(':');
            if (colon <= 0 || colon == p.length() - 1) {
                throw new InvalidConfigException(key + ".route", route, "each entry must be provider:upstream-model");
            }
            String provider = p.substring(0, colon).trim();
            if (!providers.contains(provider)) {
                throw new InvalidConfigException(key + ".route", route,
                        "unknown provider '" + provider + "' (audio.providers: " + providers + ")");
            }
            targets.add(new Target(provider, p.substring(colon + 1).trim()));
        }
        return new Model(name, kind, List.copyOf(targets));
    }
}
