package io.sluice.loadtest.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The running cluster as deploy/cluster/cluster.sh described it in cluster.env: its addresses, the
 * processes behind its PID files (stopped with SIGTERM or SIGKILL by PID, restarted through the
 * script), an HTTP client, JDBC through PgBouncer, and the Sentinels' answer about the primary.
 */
final class Cluster {
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    final Map<String, String> env;
    final Path dir;
    final String lb;
    final List<Integer> apps;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final Path script;

    Cluster(Path envFile, Path script) throws IOException {
        this.env = new HashMap<>();
        for (String line : Files.readAllLines(envFile)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        this.dir = Path.of(env.get("CLUSTER_DIR"));
        this.lb = env.get("CLUSTER_URL");
        this.apps = Arrays.stream(env.get("APP_PORTS").split(",")).map(Integer::parseInt).toList();
        this.script = script;
    }

    String app(int n) {
        return "http://127.0.0.1:" + apps.get(n - 1);
    }

    HttpResponse<String> send(String method, String url, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Status of a request, or -1 when it got no answer. */
    int status(String method, String url, String token, String body) {
        try {
            return send(method, url, token, body).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String login() throws IOException, InterruptedException {
        String body = "{\"username\":\"" + env.get("ADMIN_USER") + "\",\"password\":\"" + env.get("ADMIN_PASSWORD") + "\"}";
        HttpResponse<String> r = send("POST", lb + "/api/auth/login", null, body);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("admin login answered " + r.statusCode() + ": " + r.body());
        }
        return field(r.body(), "token");
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    boolean ready(int n) {
        return status("GET", app(n) + "/observe/health/ready", null, null) == 200;
    }

    long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("pids/" + name + ".pid")).trim());
    }

    /** Sends SIGKILL (force) or SIGTERM to the process of a PID file; returns its handle. */
    ProcessHandle signal(String name, boolean force) throws IOException {
        ProcessHandle p = ProcessHandle.of(pid(name)).orElseThrow(() -> new IllegalStateException(name + " is not running"));
        if (force) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        return p;
    }

    /** Starts instance n again (the script's own start, same settings) and waits until it is ready. */
    void restart(int n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(script.toString(), "instance", String.valueOf(n))
                .redirectErrorStream(true).redirectOutput(dir.resolve("restart-" + n + ".log").toFile()).start();
        if (!p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("instance " + n + " did not restart (see " + dir.resolve("restart-" + n + ".log") + ")");
        }
    }

    Connection pgbouncer(boolean prepareThresholdZero) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", env.get("DB_USER"));
        p.setProperty("password", env.get("DB_PASS"));
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        if (prepareThresholdZero) {
            p.setProperty("prepareThreshold", "0");
        }
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + env.get("PGBOUNCER_PORT") + "/sluice", p);
    }

    /** The primary's port as the first Sentinel that answers names it, or -1. */
    int sentinelPrimaryPort() {
        for (String port : env.get("SENTINEL_PORTS").split(",")) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(port)), 1000);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write(("SENTINEL get-master-addr-by-name " + env.get("MASTER_NAME") + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply = readSome(s.getInputStream());
                String[] lines = reply.split("\r\n");   // *2 $9 127.0.0.1 $5 31404
                if (lines.length >= 5) {
                    return Integer.parseInt(lines[4].trim());
                }
            } catch (IOException | RuntimeException e) {
                // try the next Sentinel
            }
        }
        return -1;
    }

    private static String readSome(InputStream in) throws IOException {
        byte[] buf = new byte[512];
        StringBuilder sb = new StringBuilder();
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            int n = in.read(buf);
            if (n < 0) {
                break;
            }
            sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            if (sb.toString().split("\r\n").length >= 5) {
                break;
            }
        }
        return sb.toString();
    }
}
