package io.sluice.audio;

import java.time.Duration;
import java.util.Map;

import io.sluice.Settings;
import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audio section as an operator writes it: defaults that run on the simulator, mistakes named by key, keys never printed. */
class AudioConfigTest {
    private static AudioSettings audio(Map<String, String> overrides) {
        return Settings.from(AppConfig.load(overrides)).audio();
    }

    private static String error(Map<String, String> overrides) {
        return assertThrows(InvalidConfigException.class, () -> audio(overrides)).getMessage();
    }

    @Test
    void defaultsServeSimulatedSpeechAndTranscriptionWithTheSeedTimeouts() {
        AudioSettings a = audio(Map.of());
        assertEquals(Duration.ofSeconds(15), a.ttsTimeout());
        assertEquals(Duration.ofSeconds(20), a.asrTimeout());
        assertEquals(4096, a.maxInputChars());
        assertEquals(10L << 20, a.maxUploadSize());
        assertEquals(AudioSettings.Kind.SPEECH, a.models().get("sluice-tts").kind());
        assertEquals(AudioSettings.Kind.TRANSCRIPTION, a.models().get("sluice-asr").kind());
        assertTrue(a.providers().get("simulated").simulated());
        assertEquals(java.util.List.of("wav", "pcm"), a.providers().get("simulated").formats());
    }

    @Test
    void mistakesStopStartNamingTheKey() {
        assertTrue(error(Map.of("audio.tts-timeout", "soon")).contains("audio.tts-timeout"));
        assertTrue(error(Map.of("audio.max-upload-size", "12")).contains("audio.max-upload-size"));
        assertTrue(error(Map.of("audio.models.x.kind", "music", "audio.models.x.route", "simulated:a")).contains("audio.models.x.kind"));
        assertTrue(error(Map.of("audio.models.x.kind", "speech", "audio.models.x.route", "nowhere:a")).contains("unknown provider 'nowhere'"));
        assertTrue(error(Map.of("audio.providers.o.type", "openai-compatible")).contains("audio.providers.o.base-url"));
        assertTrue(error(Map.of("audio.providers.o.type", "openai-compatible", "audio.providers.o.base-url", "http://h/v1",
                                "audio.providers.o.formats", "mp3,midi")).contains("audio.providers.o.formats"));
    }

    @Test
    void anOpenAiCompatibleProviderKeepsItsKeyOutOfPrintedSettings() {
        Map<String, String> o = Map.of("audio.providers.openai.type", "openai-compatible",
                                       "audio.providers.openai.base-url", "https://api.openai.com/v1/",
                                       "audio.providers.openai.api-key", "sk-secret-audio-key");
        Settings s = Settings.from(AppConfig.load(o));
        assertEquals("https://api.openai.com/v1", s.audio().providers().get("openai").baseUrl());
        assertEquals(AudioSettings.OPENAI_FORMATS, s.audio().providers().get("openai").formats());
        assertFalse(s.masked().toString().contains("sk-secret-audio-key"));
        assertFalse(s.audio().providers().get("openai").toString().contains("sk-secret"));
    }
}
