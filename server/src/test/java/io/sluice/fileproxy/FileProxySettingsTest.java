package io.sluice.fileproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import io.sluice.Settings;
import io.sluice.config.AppConfig;
import io.sluice.config.ConfigReader;
import io.sluice.http.ApiException;
import io.sluice.http.Json;
import org.junit.jupiter.api.Test;

/** The section's defaults (the guide's poor-I/O column and level table), its validation, and no secret printed. */
class FileProxySettingsTest {

    @Test
    void defaultsAreTheGuidesNumbersAndTheHeaderValueIsNeverPrinted() {
        Settings s = Settings.from(AppConfig.load(Map.of(
                "fileproxy.origins.media.base-url", "https://files.example.com/media",
                "fileproxy.origins.media.header", "Authorization",
                "fileproxy.origins.media.header-value", "Bearer origin-token-never-printed")));
        FileProxySettings f = s.fileProxy();
        assertEquals(200, f.maxConnections());
        assertEquals(50, f.origins().get("media").maxConnections());
        assertEquals(Duration.ofSeconds(15), f.connectTimeout());
        assertEquals("https://files.example.com/media/", f.origins().get("media").baseUrl().toString());
        assertFalse(f.origins().get("media").isPublic());
        int[] chunks = {8 << 10, 16 << 10, 32 << 10, 64 << 10};
        long[] seconds = {45, 60, 90, 120};
        for (NetworkLevel l : NetworkLevel.values()) {
            assertEquals(chunks[l.ordinal()], l.chunk(f.chunkSize()), l.name());
            assertEquals(Duration.ofSeconds(seconds[l.ordinal()]), l.timeout(f.totalTimeout()), l.name());
        }
        assertFalse(Json.write(s.masked()).contains("origin-token-never-printed"), "the origin's header value is masked");
        assertFalse(f.isPublicPath("/files/media/x"), "origins are private unless public: true");
    }

    @Test
    void aBadOriginStopsStartUpNamingTheKey() {
        var e = assertThrows(ConfigReader.InvalidConfigException.class, () -> Settings.from(AppConfig.load(Map.of(
                "fileproxy.origins.media.base-url", "file:///etc/"))));
        assertTrue(e.getMessage().contains("fileproxy.origins.media.base-url"), e.getMessage());
    }

    @Test
    void smallFileCachingIsOffUnlessSetAndAnOriginMayOverrideIt() {
        FileProxySettings off = Settings.from(AppConfig.load(Map.of(
                "fileproxy.origins.media.base-url", "https://files.example.com/media"))).fileProxy();
        assertEquals(0, off.origins().get("media").cacheMaxFileSize());
        assertFalse(off.caches());
        assertEquals(Duration.ofSeconds(300), off.cacheTtl());
        FileProxySettings on = Settings.from(AppConfig.load(Map.of(
                "fileproxy.cache.max-file-size", "1MB",
                "fileproxy.origins.media.base-url", "https://files.example.com/media",
                "fileproxy.origins.video.base-url", "https://files.example.com/video",
                "fileproxy.origins.video.cache-max-file-size", "0"))).fileProxy();
        assertEquals(1 << 20, on.origins().get("media").cacheMaxFileSize());
        assertEquals(0, on.origins().get("video").cacheMaxFileSize());
        assertTrue(on.caches());
        for (String key : new String[] {"fileproxy.cache.max-file-size", "fileproxy.origins.media.cache-max-file-size"}) {
            var e = assertThrows(ConfigReader.InvalidConfigException.class, () -> Settings.from(AppConfig.load(Map.of(
                    "fileproxy.origins.media.base-url", "https://files.example.com/media", key, "64MB"))));
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void levelsChangeOnlyAfterTheHysteresis() {
        NetworkQuality q = new NetworkQuality(4, 3);
        q.record(400);
        q.record(400);
        assertEquals(NetworkLevel.GOOD, q.level(), "two samples are not enough");
        q.record(400);
        assertEquals(NetworkLevel.VERY_POOR, q.level());
    }

    @Test
    void pathsAreCheckedRaw() {
        assertEquals(new FilePaths.Target("media", "a/b%20c.mp3"), FilePaths.parse("/files/media/a/b%20c.mp3"));
        for (String bad : new String[] {"/files/media/a/../b", "/files/media/%2e%2e/b", "/files/media/a%2Fb", "/files/media/a%5cb",
                                        "/files/media/a%00", "/files/media/a\\b", "/files/Media/a", "/files/media/", "/files/media"}) {
            assertEquals(400, assertThrows(ApiException.class, () -> FilePaths.parse(bad), bad).status(), bad);
        }
    }
}
