package io.sluice.loadtest.origin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The file origin's settings, each a flag {@code --name=value}. Network conditions apply per request:
 * an added latency before the headers (fixed or uniform in a range), a bandwidth cap per connection,
 * and shares of requests that stall mid-body for {@code stall-ms} (a lost packet's retransmission;
 * a long stall-ms is a hang), that are reset mid-body (RST), or that answer 500.
 */
public record OriginOptions(String host, int port, String prefix, Map<String, Long> files, int latencyMinMs, int latencyMaxMs,
                            long bytesPerSecond, double stallShare, int stallMs, double resetShare, double errorShare,
                            String cacheControl) {

    public static final String USAGE = """
            io.sluice.loadtest.origin.FileOrigin: an HTTP/1.1 file origin with a simulated network
              --host=127.0.0.1        listen address
              --port=9180             0 = a free port (printed)
              --prefix=/media/        files live under this path
              --files=a.bin:100KB,b.bin:1GB   named files and sizes; besides, any name that is a size
                                      (/media/64KB, /media/1GB.bin) serves that many bytes
              --latency-ms=0          added before the headers: N, or MIN-MAX for uniform in [MIN, MAX]
              --bandwidth=0           per-connection cap: 10Mbit, 1Mbit, 512Kbit, or bytes/s (0 = none)
              --stall-share=0         share of answers that pause stall-ms in the middle of the body
              --stall-ms=1000         the pause (a large value is a hang: the client's timeout must fire)
              --reset-share=0         share of answers reset (RST) in the middle of the body
              --error-share=0         share of answers that are 500
              --cache-control=        a Cache-Control header on every file (e.g. "max-age=60", "no-store")
            Content: byte p of every file is (byte) (p*31 + (p>>>11)*7): see Content.sha256.""";

    public OriginOptions {
        if (latencyMinMs < 0 || latencyMaxMs < latencyMinMs || latencyMaxMs > 600_000) {
            throw new IllegalArgumentException("--latency-ms must be N or MIN-MAX within 0..600000");
        }
        for (double share : new double[] {stallShare, resetShare, errorShare}) {
            if (share < 0 || share > 1) {
                throw new IllegalArgumentException("the --*-share flags are between 0 and 1");
            }
        }
        if (stallMs < 0 || stallMs > 600_000 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("--stall-ms must be 0..600000 and --bandwidth >= 0");
        }
        prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        files = Map.copyOf(files);
    }

    public static OriginOptions parse(String[] args) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("flags look like --port=9180, got '" + a + "'");
            }
            String name = a.substring(2, eq);
            if (!USAGE.contains("--" + name + "=")) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
            v.put(name, a.substring(eq + 1));
        }
        Map<String, Long> files = new LinkedHashMap<>();
        for (String f : v.getOrDefault("files", "").split(",")) {
            if (!f.isBlank()) {
                int colon = f.lastIndexOf(':');
                if (colon < 1) {
                    throw new IllegalArgumentException("--files takes name:size pairs, got '" + f + "'");
                }
                files.put(f.substring(0, colon).trim(), Content.parseSize(f.substring(colon + 1)));
            }
        }
        String latency = v.getOrDefault("latency-ms", "0").trim();
        int dash = latency.indexOf('-', 1);
        int min = Integer.parseInt(dash < 0 ? latency : latency.substring(0, dash).trim());
        int max = dash < 0 ? min : Integer.parseInt(latency.substring(dash + 1).trim());
        return new OriginOptions(v.getOrDefault("host", "127.0.0.1"), Integer.parseInt(v.getOrDefault("port", "9180")),
                                 v.getOrDefault("prefix", "/media/"), files, min, max,
                                 Content.parseRate(v.getOrDefault("bandwidth", "0")),
                                 Double.parseDouble(v.getOrDefault("stall-share", "0")),
                                 Integer.parseInt(v.getOrDefault("stall-ms", "1000")),
                                 Double.parseDouble(v.getOrDefault("reset-share", "0")),
                                 Double.parseDouble(v.getOrDefault("error-share", "0")),
                                 v.getOrDefault("cache-control", ""));
    }

    @Override
    public String toString() {
        return String.format("latency %s ms, bandwidth %s, stalls %.1f%% x %d ms, resets %.1f%%, errors %.1f%%",
                             latencyMinMs == latencyMaxMs ? latencyMinMs : latencyMinMs + "-" + latencyMaxMs,
                             bytesPerSecond == 0 ? "uncapped" : String.format("%.2f Mbit/s", bytesPerSecond * 8 / 1e6),
                             stallShare * 100, stallMs, resetShare * 100, errorShare * 100);
    }
}
