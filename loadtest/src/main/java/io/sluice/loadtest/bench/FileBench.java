package io.sluice.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.loadtest.origin.Content;
import io.sluice.loadtest.origin.FileClient;

/**
 * The file proxy on a simulated bad network: three file origins (loadtest/bench.sh starts them with
 * io.sluice.loadtest.origin.FileOrigin) for the guide's normal, poor and very poor conditions; each
 * is downloaded from straight, through Sluice with network adaptation on, and through a second
 * Sluice with it off. Then slow clients on the normal origin, and one 1 GB download through Sluice
 * with its RSS sampled while it runs.
 */
final class FileBench {
    private static final String FILE = "100KB.bin";

    /** One network condition: the origin name in Sluice's config, the arg holding its URL, its description. */
    private record Net(String name, String arg, String conditions, int connections) {
    }

    private static final List<Net> NETS = List.of(
            new Net("normal", "originNormal", "10 ms, uncapped, no stalls", 200),
            new Net("poor", "originPoor", "100-200 ms, 10 Mbit/s per connection, 1.5% stalls of 1 s", 200),
            new Net("verypoor", "originVeryPoor", "300-500 ms, 1 Mbit/s per connection, 5% stalls of 1 s", 100));

    private final Map<String, String> args;
    private final Report report;

    FileBench(Map<String, String> args, Report report) {
        this.args = args;
        this.report = report;
    }

    void run() throws Exception {
        Duration d = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", "10")));
        Duration warm = Duration.ofSeconds(Math.min(3, d.toSeconds()));
        URI on = URI.create(args.get("sluiceFiles"));
        URI off = URI.create(args.get("sluiceFilesFixed"));
        long onPid = Long.parseLong(args.getOrDefault("sluiceFilesPid", "0"));
        long offPid = Long.parseLong(args.getOrDefault("sluiceFilesFixedPid", "0"));
        report.section("File proxy on a simulated bad network");
        report.line("A " + FILE.replace(".bin", "") + " file (GET `/files/<origin>/" + FILE + "`), closed loop: each connection downloads it again "
                    + "as soon as the last download ended; latency is the whole download. The network is simulated by the origin "
                    + "(io.sluice.loadtest.origin.FileOrigin; no `tc netem` here): added latency before the headers, a bandwidth cap "
                    + "per connection, a share of answers that pause 1 s half-way (a lost packet's retransmission). "
                    + "Two Sluice instances at `make run`'s JVM flags with the same origins: `fileproxy.adaptive` true and false "
                    + "(false: always 16 KB chunks and 60 s reads); admission, connection and AIMD limits raised so none rejects. "
                    + d.toSeconds() + " s per row, each Sluice row after a " + warm.toSeconds() + " s warm-up (so the network level "
                    + "has its window). Throughput is the body bytes the clients read; Sluice RSS is sampled every 200 ms (peak of the row).");
        List<String> rows = new ArrayList<>();
        for (Net net : NETS) {
            URI origin = URI.create(args.get(net.arg()));
            Row direct = load(origin, "/media/" + FILE, net.connections(), d, 0, 0);
            rows.add(direct.cells(net, "straight to the origin", "-", false));
            load(on, "/files/" + net.name() + "/" + FILE, net.connections(), warm, 0, 0);
            Row a = load(on, "/files/" + net.name() + "/" + FILE, net.connections(), d, 0, onPid);
            rows.add(a.cells(net, "through Sluice", "on (" + level(on, net.name()) + ")", true));
            load(off, "/files/" + net.name() + "/" + FILE, net.connections(), warm, 0, 0);
            Row b = load(off, "/files/" + net.name() + "/" + FILE, net.connections(), d, 0, offPid);
            rows.add(b.cells(net, "through Sluice", "off", true));
        }
        report.table("| network | path | adaptation (level) | connections | req/s | p50 ms | p95 ms | p99 ms | Mbit/s | errors | Sluice RSS MB (peak) |",
                     rows);
        big(on, onPid);
        long slowRate = Content.parseRate("1Mbit");
        Row slow = load(on, "/files/normal/1MB.bin", 200, d, slowRate, onPid);
        report.line(String.format("Slow clients: 200 connections each reading a 1 MB file at 1 Mbit/s through Sluice (normal origin, "
                                  + "adaptation on): %d downloads complete, %d errors, p50 %.0f ms, %.1f Mbit/s in all, Sluice RSS %d MB "
                                  + "(peak of the run) — a slow reader holds its origin connection and one chunk buffer, not the file.",
                                  slow.lat.ok.sum(), slow.lat.errors.sum(), slow.lat.percentileMs(50), slow.mbit(), slow.peakRss));
        Proc end = Proc.sample(onPid);
        report.line(String.format("Sluice (adaptation on) at the end: RSS %d MB, peak since its start %d MB. Network levels (`/stats`; "
                                  + "measured as time to the origin's headers, so a saturated box counts too): %s.",
                                  end.rssMb(), end.peakRssMb(), levels(on)));
    }

    /** One download of a large file through Sluice, RSS sampled meanwhile; the body is hashed and checked. */
    private void big(URI sluice, long pid) throws Exception {
        long mb = Long.parseLong(args.getOrDefault("files-big-mb", "1024"));
        long size = mb * 1024 * 1024;
        Proc before = Proc.sample(pid);
        AtomicLong peak = new AtomicLong(before.rssMb());
        Thread sampler = rssSampler(pid, peak, 100);
        var expected = Executors.newVirtualThreadPerTaskExecutor().submit(() -> Content.sha256(0, size));
        FileClient.Download got;
        try (FileClient c = new FileClient(sluice, 120_000, 0)) {
            got = c.get("/files/normal/" + mb + "MB.bin", "", true);
        } finally {
            sampler.interrupt();
        }
        Proc after = Proc.sample(pid);
        boolean same = got.complete() && got.sha256().equals(expected.get());
        report.line(String.format("One %d MB download through Sluice (normal origin, adaptation on, heap bound %s): status %d, %d bytes "
                                  + "in %.1f s (%.0f MB/s), SHA-256 %s; **Sluice RSS %d MB before, peak %d MB during (sampled every 100 ms; "
                                  + "%+d MB for a %d MB body), %d MB after**. The body passes through one chunk buffer: what RSS gains is "
                                  + "heap G1 takes for short-lived buffers, bounded by -Xmx, not the file.",
                                  mb, heap(), got.status(), got.bytes(), got.nanos() / 1e9, got.bytes() / 1e6 / (got.nanos() / 1e9),
                                  same ? "identical to the origin's" : "DIFFERENT", before.rssMb(), peak.get(), peak.get() - before.rssMb(), mb,
                                  after.rssMb()));
    }

    private String heap() {
        Matcher m = Pattern.compile("-Xmx(\\S+)").matcher(args.getOrDefault("jvm", ""));
        return m.find() ? m.group(1) : "?";
    }

    private record Row(double rps, Latencies lat, double seconds, long bytes, long peakRss) {
        double mbit() {
            return bytes * 8 / 1e6 / seconds;
        }

        String cells(Net net, String path, String adaptation, boolean sluice) {
            return String.format("| %s: %s | %s | %s | %d | %.0f | %.0f | %.0f | %.0f | %.1f | %d | %s |", net.name(), net.conditions(), path,
                                 adaptation, net.connections(), rps, lat.percentileMs(50), lat.percentileMs(95), lat.percentileMs(99),
                                 mbit(), lat.errors.sum(), sluice ? String.valueOf(peakRss) : "-");
        }
    }

    /** A closed loop of downloads; errors are non-2xx answers, cut bodies and broken connections. */
    private static Row load(URI base, String path, int connections, Duration d, long clientRate, long pid) throws InterruptedException {
        Latencies lat = new Latencies();
        LongAdder bytes = new LongAdder();
        AtomicLong peak = new AtomicLong(pid == 0 ? -1 : Proc.sample(pid).rssMb());
        Thread sampler = pid == 0 ? null : rssSampler(pid, peak, 200);
        long start = System.nanoTime();
        long end = start + d.toNanos();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                pool.submit(() -> {
                    FileClient c = null;
                    while (System.nanoTime() < end) {
                        try {
                            if (c == null) {
                                c = new FileClient(base, 60_000, clientRate);
                            }
                            FileClient.Download got = c.get(path, "", false);
                            bytes.add(got.bytes());
                            if (got.status() == 200 && got.complete()) {
                                lat.ok.increment();
                                lat.record(got.nanos());
                            } else {
                                lat.errors.increment();
                                c.close();
                                c = null;
                            }
                        } catch (IOException | RuntimeException e) {
                            lat.errors.increment();
                            close(c);
                            c = null;
                        }
                    }
                    close(c);
                    return null;
                });
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        if (sampler != null) {
            sampler.interrupt();
        }
        return new Row(lat.ok.sum() / secs, lat, secs, bytes.sum(), peak.get());
    }

    private static Thread rssSampler(long pid, AtomicLong peak, long everyMs) {
        return Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(Proc.sample(pid).rssMb(), Math::max);
                try {
                    Thread.sleep(everyMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static String level(URI sluice, String origin) {
        Matcher m = Pattern.compile("\"" + origin + "\":\\{[^}]*\"network_level\":\"([^\"]+)\"").matcher(stats(sluice));
        return m.find() ? m.group(1) : "?";
    }

    private static String levels(URI sluice) {
        StringBuilder sb = new StringBuilder();
        for (Net n : NETS) {
            sb.append(sb.isEmpty() ? "" : ", ").append(n.name()).append(' ').append(level(sluice, n.name()));
        }
        return sb.toString();
    }

    private static String stats(URI sluice) {
        try {
            return RawHttp.get(sluice, "/stats");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static void close(FileClient c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
    }
}
