package io.sluice.podcasts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.sluice.Settings;
import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The podcasts section: the defaults of config.yaml, and bad values stop start-up naming the key. */
class PodcastSettingsTest {

    @Test
    void defaults() {
        PodcastSettings p = Settings.from(AppConfig.load(Map.of())).podcasts();
        assertEquals(Path.of("data/podcasts"), p.dir());
        assertEquals("sluice-sim", p.model());
        assertEquals("sluice-tts", p.ttsModel());
        assertEquals(12, p.defaultLines());
        assertEquals(200, p.maxLines());
        assertEquals(5, p.parallelism(5));
        assertEquals(3, p.parallelism(3), "never more than the TTS bulkhead");
        assertEquals(Duration.ofMinutes(2), p.slotTimeout());
        assertEquals(Duration.ofMillis(500), p.pollInterval());
        assertEquals(Duration.ofSeconds(5), p.pingInterval());
        assertEquals(Duration.ofMinutes(30), p.eventsTimeout());
    }

    @Test
    void badValuesNameTheKey() {
        Map<String, String> bad = Map.of("podcasts.model", "podcasts.model = 'nope'",
                                         "podcasts.tts-model", "podcasts.tts-model = 'nope'",
                                         "podcasts.parallelism", "podcasts.parallelism = 'nope'",
                                         "podcasts.poll-interval", "podcasts.poll-interval = 'nope'");
        bad.forEach((key, expected) -> {
            var e = assertThrows(ConfigReader.InvalidConfigException.class,
                                 () -> Settings.from(AppConfig.load(Map.of(key, "nope"))));
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        });
        var lines = assertThrows(ConfigReader.InvalidConfigException.class,
                                 () -> Settings.from(AppConfig.load(Map.of("podcasts.default-lines", "300"))));
        assertTrue(lines.getMessage().contains("podcasts.default-lines") && lines.getMessage().contains("max-lines"), lines.getMessage());
    }
}
