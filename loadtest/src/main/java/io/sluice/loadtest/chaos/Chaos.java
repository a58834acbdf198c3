package io.sluice.loadtest.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code make chaos}: long fault scenarios against one Sluice under steady load ({@link Load}), each
 * a baseline, a fault, and the way back; prints what was injected, what clients saw, how long
 * recovery took and whether any accepted task was lost. Started by loadtest/chaos.sh, which starts
 * Sluice (embedded PostgreSQL/Redis under --data) and the upstream simulator behind {@link ChaosProxy}.
 */
public final class Chaos {
    private static final long SECOND = 1_000_000_000L;

    record Outcome(String scenario, String injected, String seen, String recovery, long tasksFrom, long tasksTo) {
    }

    private final Load load;
    private final ChaosProxy proxy;
    private final Path data;
    private final String host;
    private final int port;
    private final int faultSeconds;

    private Chaos(Load load, ChaosProxy proxy, Path data, String host, int port, int faultSeconds) {
        this.load = load;
        this.proxy = proxy;
        this.data = data;
        this.host = host;
        this.port = port;
        this.faultSeconds = faultSeconds;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            a.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        int sluicePort = Integer.parseInt(a.getOrDefault("sluice-port", "19180"));
        String base = "http://127.0.0.1:" + sluicePort;
        List<String> only = a.containsKey("scenario") ? List.of(a.get("scenario").split(",")) : List.of();
        try (ChaosProxy proxy = new ChaosProxy(Integer.parseInt(a.getOrDefault("proxy-port", "19191")),
                                               Integer.parseInt(a.getOrDefault("sim-port", "19190")));
             Load load = new Load(base, 8, 4)) {
            Chaos chaos = new Chaos(load, proxy, Path.of(a.getOrDefault("data", "loadtest/target/chaos/data")),
                                    "127.0.0.1", sluicePort, Integer.parseInt(a.getOrDefault("fault-seconds", "10")));
            List<Outcome> outcomes = new ArrayList<>();
            for (String s : List.of("postgres-kill", "redis-stop", "upstream-stall", "upstream-reset", "slow-bodies")) {
                if (only.isEmpty() || only.contains(s)) {
                    System.out.println("scenario " + s + " ...");
                    outcomes.add(chaos.run(s));
                }
            }
            String table = ChaosReport.table(outcomes, load);
            System.out.println(table);
            Path out = Path.of(a.getOrDefault("out", "loadtest/target/chaos/report.md"));
            Files.createDirectories(out.getParent());
            Files.writeString(out, table);
            System.out.println("report: " + out.toAbsolutePath());
        }
    }

    private Outcome run(String scenario) throws Exception {
        sleep(3);   // baseline
        long tasksFrom = System.nanoTime();
        long start = System.nanoTime();
        String injected;
        switch (scenario) {
            case "postgres-kill" -> {
                long pid = pid(data.resolve("postgres/postmaster.pid"));
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                injected = "kill -9 of the embedded PostgreSQL (pid " + pid + ")";
            }
            case "redis-stop" -> {
                long pid = pid(data.resolve("redis/redis.pid"));
                signal("STOP", pid);
                sleep(faultSeconds);
                signal("CONT", pid);
                injected = "SIGSTOP of Redis (pid " + pid + ") for " + faultSeconds + " s, then SIGCONT";
            }
            case "upstream-stall" -> {
                proxy.mode(ChaosProxy.Mode.STALL);
                sleep(faultSeconds);
                proxy.mode(ChaosProxy.Mode.PASS);
                injected = "upstream stalled (no byte moves) for " + faultSeconds + " s";
            }
            case "upstream-reset" -> {
                proxy.mode(ChaosProxy.Mode.RESET);
                sleep(faultSeconds);
                proxy.mode(ChaosProxy.Mode.PASS);
                injected = "every upstream connection reset (RST) for " + faultSeconds + " s";
            }
            case "slow-bodies" -> {
                int n = slowBodies(60, faultSeconds);
                injected = n + " clients sending a chat body 1 byte / 2 s for " + faultSeconds + " s";
            }
            default -> throw new IllegalArgumentException(scenario);
        }
        long healed = System.nanoTime();
        Long recoveredAt = awaitRecovery(healed, 20);
        long end = System.nanoTime();
        String recovery = recoveredAt == null ? "not within 20 s" : ((recoveredAt - healed) / 1_000_000) + " ms";
        return new Outcome(scenario, injected, ChaosReport.seen(load.results, start, end), recovery, tasksFrom, end);
    }

    /**
     * The time after the fault from which every request succeeded, or null when that did not happen
     * within {@code maxSeconds}. Requests are judged by when they started: T is the start of the last
     * request that failed after the fault ended (or the end of the fault); recovery is declared once
     * no request started after T failed for longer than a client's timeout, so none is still pending,
     * and readiness is 200. The answer is the start of the first success after T.
     */
    private Long awaitRecovery(long healed, int maxSeconds) {
        long settle = Load.CLIENT_TIMEOUT.toNanos() + 2 * SECOND;
        long deadline = healed + maxSeconds * SECOND + settle;
        while (System.nanoTime() < deadline) {
            sleepMs(500);
            long now = System.nanoTime();
            long t = healed;
            for (Load.Result r : load.results) {
                if (r.atNanos() >= healed && !ok(r.status())) {
                    t = Math.max(t, r.startNanos());
                }
            }
            long firstOk = Long.MAX_VALUE;
            for (Load.Result r : load.results) {
                if (r.startNanos() >= t && ok(r.status())) {
                    firstOk = Math.min(firstOk, r.startNanos());
                }
            }
            if (t - healed > maxSeconds * SECOND) {
                return null;
            }
            if (firstOk != Long.MAX_VALUE && now - t >= settle && load.status("/observe/health/ready") == 200) {
                return t == healed ? healed : firstOk;
            }
        }
        return null;
    }

    static boolean ok(int status) {
        return status >= 200 && status < 300;
    }

    /** Sockets that send headers, then one body byte every 2 s: they hold whatever the server gives a request. */
    private int slowBodies(int clients, int seconds) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 1000\r\n\r\n";
        for (int i = 0; i < clients; i++) {
            try {
                Socket s = new Socket(InetAddress.getByName(host), port);
                s.getOutputStream().write(head.getBytes());
                sockets.add(s);
            } catch (IOException e) {
                break;   // refused: the server caps connections
            }
        }
        long end = System.nanoTime() + seconds * SECOND;
        while (System.nanoTime() < end) {
            for (Socket s : sockets) {
                try {
                    OutputStream o = s.getOutputStream();
                    o.write(' ');
                    o.flush();
                } catch (IOException cut) {
                    // the server cut it: what a body deadline should do
                }
            }
            sleepMs(2000);
        }
        for (Socket s : sockets) {
            s.close();
        }
        return sockets.size();
    }

    private static long pid(Path pidFile) throws IOException {
        return Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start().waitFor();
    }

    private static void sleep(int seconds) {
        sleepMs(seconds * 1000L);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
