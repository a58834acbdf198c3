package io.sluice.loadtest.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steady load while faults come and go: chat completions (upstream through the chaos proxy), session
 * creation (a synchronous PostgreSQL write) and asynchronous session chats (tasks over Redis, kept to
 * check afterwards that none was lost). Every answer is recorded with its time; a client that got no
 * answer within {@link #CLIENT_TIMEOUT} records -1.
 */
final class Load implements AutoCloseable {
    /** One answer: when the request started and ended, and its status (-1: no answer). */
    record Result(long startNanos, long atNanos, String kind, int status) {
    }

    record Task(long atNanos, String id) {
    }

    private static final Pattern ID = Pattern.compile("\"(?:id|task_id)\"\\s*:\\s*\"([^\"]+)\"");
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    final Queue<Result> results = new ConcurrentLinkedQueue<>();
    final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    Load(String base, int chatWorkers, int sessionWorkers) {
        this.base = base;
        for (int i = 0; i < chatWorkers; i++) {
            workers.add(Thread.ofVirtual().name("chaos-chat-" + i).start(this::chatLoop));
        }
        for (int i = 0; i < sessionWorkers; i++) {
            workers.add(Thread.ofVirtual().name("chaos-session-" + i).start(this::sessionLoop));
        }
    }

    private void chatLoop() {
        String body = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"chaos\"}]}";
        while (running) {
            post("chat", "/v1/chat/completions", body);
            pause(50);
        }
    }

    private void sessionLoop() {
        while (running) {
            HttpResponse<String> created = post("session", "/v1/sessions", "{\"user\":\"chaos\"}");
            if (created != null && created.statusCode() == 201) {
                String session = id(created.body());
                HttpResponse<String> accepted = post("task", "/v1/sessions/" + session + "/chat", "{\"message\":\"chaos task\"}");
                if (accepted != null && accepted.statusCode() == 202) {
                    tasks.add(new Task(System.nanoTime(), id(accepted.body())));
                }
            }
            pause(100);
        }
    }

    private HttpResponse<String> post(String kind, String path, String json) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(CLIENT_TIMEOUT)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
            results.add(new Result(start, System.nanoTime(), kind, r.statusCode()));
            return r;
        } catch (Exception e) {
            results.add(new Result(start, System.nanoTime(), kind, -1));
            return null;
        }
    }

    /** The task's status now ("succeeded", "failed", "queued", ...), or "unknown" when it cannot be read. */
    String taskStatus(String id) {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + id)).timeout(CLIENT_TIMEOUT).build(),
                                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"").matcher(body);
            return m.find() ? m.group(1) : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(3)).build(),
                             HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String id(String body) {
        Matcher m = ID.matcher(body);
        return m.find() ? m.group(1) : "";
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : workers) {
            t.join(Duration.ofSeconds(15));
        }
    }
}
