package io.sluice.report;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import io.sluice.config.ConfigReader;

/** {@code report --url URL [--duration 5m] [--interval 10s] [--output report.json]}, checked before anything runs. */
record ReportArgs(URI url, Duration duration, Duration interval, Path output) {
    static final String USAGE = """
            usage: java -jar sluice.jar report --url http://host:port [--duration 5m] [--interval 10s] [--output report.json]
              samples a running Sluice's /health and /metrics JSON (and its request counters) every interval
              for the duration, then writes the samples and a summary (min/avg/max/p95, request and error
              rates) as JSON to --output (default: none) and a short text summary to stdout.""";

    /** Thrown for anything wrong with the arguments; the message names the problem. */
    static final class BadArgs extends Exception {
        BadArgs(String message) {
            super(message, null, false, false);
        }
    }

    static ReportArgs parse(String[] args) throws BadArgs {
        String url = null;
        String duration = "5m";
        String interval = "10s";
        String output = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new BadArgs(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument '" + flag + "'");
            }
            String value = args[++i];
            switch (flag) {
                case "--url" -> url = value;
                case "--duration" -> duration = value;
                case "--interval" -> interval = value;
                case "--output" -> output = value;
                default -> throw new BadArgs("unknown option '" + flag + "'");
            }
        }
        if (url == null) {
            throw new BadArgs("--url is required");
        }
        URI uri;
        try {
            uri = URI.create(url.replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new BadArgs("--url '" + url + "' is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new BadArgs("--url '" + url + "' is not an http(s) URL");
        }
        Duration d = duration("--duration", duration);
        Duration every = duration("--interval", interval);
        if (every.compareTo(d) > 0) {
            throw new BadArgs("--interval (" + interval + ") is longer than --duration (" + duration + ")");
        }
        return new ReportArgs(uri, d, every, output == null ? null : Path.of(output));
    }

    private static Duration duration(String flag, String value) throws BadArgs {
        try {
            Duration d = ConfigReader.parseDuration(value);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new BadArgs(flag + " '" + value + "' is not a positive duration (e.g. 500ms, 10s, 5m)");
        }
    }
}
