package io.sluice.audio;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.api.MetricsFactory;
import io.sluice.Settings;
import io.sluice.config.AppConfig;
import io.sluice.http.ApiException;
import io.sluice.limits.Bulkhead;
import io.sluice.limits.BulkheadSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Speech#synthesize}, the call other features (podcasts) make from their own threads, without HTTP. */
class SpeechApiTest {
    private static Speech speech(int maxConcurrent) {
        AudioSettings s = Settings.from(AppConfig.load(Map.of("audio.providers.simulated.latency", "100ms"))).audio();
        Bulkhead tts = new Bulkhead(new BulkheadSettings("tts", maxConcurrent, 50, Duration.ofSeconds(30)), Duration.ofSeconds(1));
        Bulkhead asr = new Bulkhead(new BulkheadSettings("asr", 1, 1, Duration.ofSeconds(1)), Duration.ofSeconds(1));
        return new Audio(s, tts, asr, MetricsFactory.getInstance().createMeterRegistry(MetricsConfig.create())).speech();
    }

    @Test
    void linesRenderAsWavsThatJoinIntoOneOfTheirSummedLength() {
        Speech speech = speech(5);
        byte[] a = speech.synthesize("sluice-tts", "alloy", "Welcome to the show.", 1.0);
        byte[] b = speech.synthesize("sluice-tts", "nova", "Thanks, glad to be here!", 1.0);
        assertEquals(Wav.PCM_24K, Wav.parse(a).format());
        assertEquals(20 / 15.0, Wav.seconds(a), 0.001);
        assertEquals(24 / 15.0, Wav.seconds(b), 0.001);
        assertEquals(Wav.seconds(a) + Wav.seconds(b), Wav.seconds(Wav.concat(List.of(a, b))), 1e-9);
        assertEquals(List.of("sluice-tts"), speech.models());
        assertEquals(5, speech.maxConcurrent());
        assertEquals(0, speech.inFlight());
        assertEquals(400, assertThrows(ApiException.class, () -> speech.synthesize("sluice-tts", "alloy", " ", 1.0)).status());
        assertEquals(404, assertThrows(ApiException.class, () -> speech.synthesize("sluice-asr", "alloy", "hi", 1.0)).status());
    }

    @Test
    void parallelCallersNeverHoldMoreSlotsThanTheBulkheadGives() throws Exception {
        Speech speech = speech(3);
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger max = new AtomicInteger();
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                max.accumulateAndGet(speech.inFlight(), Math::max);
                try {
                    Thread.sleep(1);   // no busy loop on a shared box
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        List<Future<byte[]>> lines = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 12; i++) {
                String text = "line number " + i;
                lines.add(pool.submit(() -> speech.synthesize("sluice-tts", "echo", text, 1.0)));
            }
            for (int i = 0; i < lines.size(); i++) {
                assertEquals(("line number " + i).length() / 15.0, Wav.seconds(lines.get(i).get()), 0.001);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertTrue(max.get() <= 3, "in flight above the limit: " + max.get());
        assertTrue(max.get() > 0);
        assertEquals(0, speech.inFlight());
    }
}
