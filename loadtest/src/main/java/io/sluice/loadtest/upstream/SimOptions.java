package io.sluice.loadtest.upstream;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulator's settings. Each is a flag {@code --name=value} or an environment variable
 * {@code SIM_NAME} (upper case, '-' as '_'); a flag wins. {@link #usage()} lists them.
 */
public record SimOptions(String host,
                         int port,
                         Range latencyMs,
                         int tokens,
                         double tokensPerSecond,
                         double errorRate,
                         List<Integer> errorStatuses,
                         double stallRate,
                         Duration stall,
                         List<String> models) {

    /** Bounds every wait a request can ask for (header or flag), so nothing sleeps for ever. */
    public static final long MAX_DELAY_MS = 600_000;

    public SimOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        if (tokens < 0 || tokens > 100_000) {
            throw new IllegalArgumentException("tokens must be 0..100000, got " + tokens);
        }
        if (tokensPerSecond < 0) {
            throw new IllegalArgumentException("tokens-per-second must be >= 0 (0 = no pacing), got " + tokensPerSecond);
        }
        checkRate("error-rate", errorRate);
        checkRate("stall-rate", stallRate);
        for (int s : errorStatuses) {
            if (s < 400 || s > 599) {
                throw new IllegalArgumentException("error-status must be 4xx or 5xx, got " + s);
            }
        }
        if (errorStatuses.isEmpty()) {
            throw new IllegalArgumentException("error-status needs at least one status");
        }
        if (stall.isNegative() || stall.toMillis() > MAX_DELAY_MS) {
            throw new IllegalArgumentException("stall-ms must be 0.." + MAX_DELAY_MS);
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("models needs at least one model id");
        }
        errorStatuses = List.copyOf(errorStatuses);
        models = List.copyOf(models);
    }

    /** A latency in ms: fixed when min == max, else uniform in [min, max]. */
    public record Range(long min, long max) {
        public Range {
            if (min < 0 || max < min || max > MAX_DELAY_MS) {
                throw new IllegalArgumentException("latency must be N or MIN-MAX ms within 0.." + MAX_DELAY_MS
                        + ", got " + min + "-" + max);
            }
        }

        /** "500" or "2000-30000". */
        public static Range parse(String v) {
            String t = v.trim();
            int dash = t.indexOf('-', 1);
            try {
                if (dash < 0) {
                    long n = Long.parseLong(t);
                    return new Range(n, n);
                }
                return new Range(Long.parseLong(t.substring(0, dash).trim()), Long.parseLong(t.substring(dash + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("latency must be N or MIN-MAX (ms), got '" + v + "'");
            }
        }

        public long sample(java.util.random.RandomGenerator random) {
            return min == max ? min : random.nextLong(min, max + 1);
        }

        @Override
        public String toString() {
            return min == max ? min + " ms" : "uniform " + min + "-" + max + " ms";
        }
    }

    public static SimOptions defaults() {
        return parse(new String[0], Map.of());
    }

    /** Reads flags over environment variables over defaults. */
    public static SimOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> v = new HashMap<>();
        for (String key : List.of("host", "port", "latency-ms", "tokens", "tokens-per-second", "error-rate",
                "error-status", "stall-rate", "stall-ms", "models")) {
            String e = env.get("SIM_" + key.toUpperCase().replace('-', '_'));
            if (e != null && !e.isBlank()) {
                v.put(key, e.trim());
            }
        }
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags look like --port=9090)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (k + 1 < args.length) {
                value = args[++k];
            } else {
                throw new IllegalArgumentException("flag --" + name + " needs a value");
            }
            v.put(name, value);
        }
        for (String key : v.keySet()) {
            if (!usage().contains("--" + key + "=")) {
                throw new IllegalArgumentException("unknown flag --" + key);
            }
        }
        try {
            SimOptions o = new SimOptions(
                    v.getOrDefault("host", "127.0.0.1"),
                    Integer.parseInt(v.getOrDefault("port", "9090")),
                    Range.parse(v.getOrDefault("latency-ms", "500")),
                    Integer.parseInt(v.getOrDefault("tokens", "20")),
                    Double.parseDouble(v.getOrDefault("tokens-per-second", "50")),
                    Double.parseDouble(v.getOrDefault("error-rate", "0")),
                    Arrays.stream(v.getOrDefault("error-status", "500,429").split(","))
                            .map(String::trim).map(Integer::parseInt).toList(),
                    Double.parseDouble(v.getOrDefault("stall-rate", "0")),
                    Duration.ofMillis(Long.parseLong(v.getOrDefault("stall-ms", "60000"))),
                    Arrays.stream(v.getOrDefault("models", "sim-1").split(","))
                            .map(String::trim).filter(s -> !s.isEmpty()).toList());
            return o;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
    }

    public static String usage() {
        return """
                usage: java -jar sluice-loadtest.jar [flags]      (each flag also as env SIM_NAME, e.g. SIM_PORT)
                  --host=127.0.0.1           listen address
                  --port=9090                listen port (0 = any free port)
                  --latency-ms=500           time to the first token: N (fixed) or MIN-MAX (uniform), e.g. 2000-30000
                  --tokens=20                tokens in a reply (a request's max_tokens caps it)
                  --tokens-per-second=50     streaming pace after the first token (0 = all at once)
                  --error-rate=0             share of requests answered with an error, 0..1
                  --error-status=500,429     statuses an error picks from at random
                  --stall-rate=0             share of requests that stop half way through and go silent, 0..1
                  --stall-ms=60000           how long a stalled response stays silent before it is cut
                  --models=sim-1             ids listed by GET /v1/models (any model id is accepted)
                per-request headers: X-Sim-Latency-Ms: N|MIN-MAX, X-Sim-Tokens: N, X-Sim-Error: STATUS, X-Sim-Stall: true
                """;
    }

    private static void checkRate(String name, double r) {
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException(name + " must be within 0..1, got " + r);
        }
    }

    @Override
    public String toString() {
        return "latency " + latencyMs + ", " + tokens + " tokens at "
                + (tokensPerSecond == 0 ? "no pacing" : tokensPerSecond + " tokens/s")
                + ", error rate " + errorRate + " " + errorStatuses + ", stall rate " + stallRate
                + " (" + stall.toMillis() + " ms), models " + models;
    }
}
