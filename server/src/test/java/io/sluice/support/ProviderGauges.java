package io.sluice.support;

import java.time.Duration;

/** A provider's bulkhead gauges, read from /observe/metrics as a dashboard would. */
public final class ProviderGauges {
    private ProviderGauges() {
    }

    /** {@code sluice_llm_bulkhead_<name>{provider=...}}: in_flight, queued, max. */
    public static double gauge(TestServer server, String provider, String name) {
        String metrics = server.get("/observe/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("sluice_llm_bulkhead_" + name + "{") && line.contains("provider=\"" + provider + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sluice_llm_bulkhead_" + name + " for provider " + provider + " in:\n" + metrics);
    }

    /** Waits (bounded) until no call holds or waits for a slot of any of these providers. */
    public static void awaitIdle(TestServer server, String... providers) {
        TestServer.await("provider bulkheads idle", Duration.ofSeconds(5), () -> {
            for (String p : providers) {
                if (gauge(server, p, "in_flight") != 0 || gauge(server, p, "queued") != 0) {
                    return false;
                }
            }
            return true;
        });
    }
}
