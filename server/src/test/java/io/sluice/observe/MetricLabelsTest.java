package io.sluice.observe;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.List;

import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing a client chooses — method, path, model — becomes a new metric label: thousands of random
 * requests leave the Prometheus page about the size it had after the first few hundred.
 */
class MetricLabelsTest {
    private static final Pattern LABEL = Pattern.compile("(method|route|status|model|provider)=\"([^\"]*)\"");
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void randomMethodsPathsAndModelsLeaveThePageBounded() throws Exception {
        Random random = new Random(42);
        hostile(random, 300);
        int before = server.get("/observe/metrics").body().length();
        hostile(random, 2000);
        String page = server.get("/observe/metrics").body();
        assertTrue(page.length() < before * 1.1 + 2000,
                   "the metrics page grew from " + before + " to " + page.length() + " bytes after 2,000 random requests");

        Set<String> labels = new TreeSet<>();
        Matcher m = LABEL.matcher(page);
        while (m.find()) {
            labels.add(m.group(1) + "=" + m.group(2));
        }
        for (String label : labels) {
            assertTrue(!label.contains("rnd"), "a client-chosen value became a label: " + label + " in " + labels);
        }
    }

    /** Requests with random methods, random paths under real and unknown prefixes, and random model names. */
    private static void hostile(Random random, int count) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String token = "rnd" + Long.toHexString(random.nextLong());
                int kind = random.nextInt(5);
                done.add(pool.submit(() -> switch (kind) {
                    case 0 -> server.send(HttpRequest.newBuilder(server.uri("/v1/models")).method("X" + token.toUpperCase(),
                            HttpRequest.BodyPublishers.noBody()));
                    case 1 -> server.get("/" + token + "/" + token);
                    case 2 -> server.get("/v1/sessions/" + token);
                    case 3 -> server.get("/v1/models/" + token);
                    default -> server.postJson("/v1/chat/completions",
                            "{\"model\":\"" + token + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                }));
                if (done.size() >= 16) {
                    for (Future<?> f : done) {
                        f.get();
                    }
                    done.clear();
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
