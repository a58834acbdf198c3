package io.sluice.podcasts;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.audio.Wav;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.podcasts.PodcastsTest.HOSTS;
import static io.sluice.podcasts.PodcastsTest.awaitFinished;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What `make run` does: a topic through the built-in simulated chat model and simulated TTS, to one valid WAV. */
class SimulatedPodcastTest {

    @Test
    void aTopicPodcastCompletesWithTheBuiltInSimulatedProviders() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "podcasts-sim-");
        try (TestServer server = TestServer.start(Map.of("podcasts.dir", dir.toString(),
                                                         "llm.providers.simulated.latency", "5ms",
                                                         "llm.providers.simulated.tokens-per-second", "100000",
                                                         "audio.providers.simulated.latency", "5ms",
                                                         "audio.providers.simulated.chars-per-second", "200"))) {
            var submitted = server.postJson("/v1/podcasts", "{\"topic\":\"Queues and limits\",\"hosts\":" + HOSTS + "}");
            assertEquals(202, submitted.statusCode(), submitted.body());
            JsonNode done = awaitFinished(server, json(submitted).get("id").asText());
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            assertTrue(done.get("script").size() >= 2, done.toString());
            assertEquals(done.get("script").size(), done.at("/progress/lines_rendered").asInt());
            HttpResponse<byte[]> audio = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri(done.get("audio_url").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
            Wav.Info wav = Wav.parse(audio.body());
            assertEquals(Wav.PCM_24K, wav.format());
            assertEquals(audio.body().length, Wav.HEADER_BYTES + wav.dataLength());
            assertEquals(wav.seconds(), done.get("duration_seconds").asDouble(), 0.001);
            assertTrue(wav.seconds() > 0.1, "speech-like audio of some length: " + wav.seconds());
        }
    }
}
