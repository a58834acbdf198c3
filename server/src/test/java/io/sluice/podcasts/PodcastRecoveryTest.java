package io.sluice.podcasts;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.audio.Wav;
import io.sluice.http.Json;
import io.sluice.support.ServerProcess;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.podcasts.PodcastsTest.HOSTS;
import static io.sluice.podcasts.PodcastsTest.SCRIPT;
import static io.sluice.podcasts.PodcastsTest.awaitFinished;
import static io.sluice.support.TestServer.await;
import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A worker killed mid-podcast: another worker finishes it without speaking the finished lines again. */
class PodcastRecoveryTest {

    @Test
    void aPodcastOfAKilledWorkerIsFinishedElsewhereWithoutRerenderingItsLines() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "podcasts-recovery-");
        String[] lines = SCRIPT.lines().map(l -> l.substring(l.indexOf(':') + 1).strip()).toArray(String[]::new);
        try (FakeTts tts = new FakeTts(0)) {
            tts.hangFrom(5);   // lines 0-3 are spoken; the worker dies inside the call for line 4
            Map<String, String> c = new HashMap<>(tts.config());
            c.put("tasks.stream", "test:tasks:" + UUID.randomUUID());
            c.put("tasks.visibility-timeout", "2s");
            c.put("tasks.reconcile-interval", "1s");
            c.put("tasks.retry-backoff", "100ms");
            c.put("podcasts.dir", dir.toString());
            c.put("podcasts.parallelism", "1");   // one line at a time: which lines were done is certain
            c.put("tasks.role", "api");
            Path workDir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "podcast-worker-");
            try (TestServer api = TestServer.start(c);
                 ServerProcess doomed = ServerProcess.start(workDir, env(c, "doomed-worker"))) {
                var submitted = api.postJson("/v1/podcasts", "{\"script\":" + Json.write(SCRIPT) + ",\"hosts\":" + HOSTS + "}");
                assertEquals(202, submitted.statusCode(), submitted.body());
                String id = json(submitted).get("id").asText();
                await("the worker process rendered four lines and is inside the fifth", Duration.ofSeconds(90),
                      () -> tts.calls() == 5 && json(api.get("/v1/podcasts/" + id)).at("/progress/lines_rendered").asInt() == 4);

                doomed.close();   // kill -9: no acknowledgement, no clean-up, a segment directory left behind
                tts.hangFrom(Integer.MAX_VALUE);

                Map<String, String> rescuer = new HashMap<>(c);
                rescuer.put("tasks.role", "worker");
                rescuer.put("tasks.consumer", "rescuer");
                try (TestServer worker = TestServer.start(rescuer)) {
                    JsonNode done = awaitFinished(api, id);
                    assertEquals("succeeded", done.get("status").asText(), done.toString());
                    for (int i = 0; i < lines.length; i++) {
                        assertEquals(i == 4 ? 2 : 1, tts.calls(lines[i]), "TTS calls for line " + i + ": " + lines[i]);
                    }
                    assertEquals(lines.length + 1, tts.calls());
                    JsonNode task = json(api.get("/v1/tasks/" + done.get("task_id").asText()));
                    assertEquals(2, task.get("attempts").asInt(), task.toString());

                    HttpResponse<byte[]> audio = HttpClient.newHttpClient().send(
                            HttpRequest.newBuilder(api.uri("/v1/podcasts/" + id + "/audio")).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long pcm = 0;
                    for (String line : lines) {
                        pcm += FakeTts.pcmBytes(line);
                    }
                    Wav.Info wav = Wav.parse(audio.body());
                    assertEquals(pcm, wav.dataLength(), "every line once in the joined file");
                    assertEquals(Wav.HEADER_BYTES + pcm, audio.body().length);
                }
            }
        }
    }

    /** The test's settings as environment variables for a separate worker process. */
    private static Map<String, String> env(Map<String, String> c, String consumer) {
        Map<String, String> env = new HashMap<>();
        c.forEach((k, v) -> env.put(k.toUpperCase().replace("-", "_dash_").replace(".", "_"), v));
        env.put("TASKS_ROLE", "worker");
        env.put("TASKS_CONSUMER", consumer);
        env.put("SERVER_PORT", "0");
        env.put("DATABASE_URL", TestInfra.postgresUrl());
        env.put("DATABASE_USERNAME", "postgres");
        env.put("DATABASE_PASSWORD", "postgres");
        env.put("REDIS_URL", TestInfra.redisUrl());
        env.put("LOGGING_DIR", "logs");
        env.put("AUTH_ENABLED", "false");
        return env;
    }
}
