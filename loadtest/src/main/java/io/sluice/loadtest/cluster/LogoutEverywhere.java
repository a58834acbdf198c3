package io.sluice.loadtest.cluster;

/**
 * A token logged out on one instance is refused by every instance within a second on a quiet machine. The
 * check allows {@link #BOUND_MS}: on a busy 2-core machine (three instances, PostgreSQL, Redis and the
 * checks) one request can take most of a second, and 3 s is still a tenth of the credential cache's TTL
 * (auth.cache.ttl, 30 s), so only the invalidation can explain the refusal.
 */
final class LogoutEverywhere implements ClusterChecks.Check {
    static final long BOUND_MS = 3000;
    private final Keys keys;

    LogoutEverywhere(Keys keys) {
        this.keys = keys;
    }

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        return check(c, keys, "logout on one instance");
    }

    static ClusterChecks.Row check(Cluster c, Keys keys, String name) throws Exception {
        String token = keys.userToken();
        int n = c.apps.size();
        StringBuilder before = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            before.append(c.status("GET", c.app(i) + "/api/auth/verify", token, null)).append(i < n ? "/" : "");
        }
        int out = c.status("POST", c.app(1) + "/api/auth/logout", token, null);
        long t0 = System.nanoTime();
        long[] refusedAfterMs = new long[n];
        java.util.Arrays.fill(refusedAfterMs, -1);
        int refused = 0;
        while (refused < n && System.nanoTime() - t0 < 10_000_000_000L) {   // then reported as -1
            for (int i = 1; i <= n; i++) {
                if (refusedAfterMs[i - 1] < 0 && c.status("GET", c.app(i) + "/api/auth/verify", token, null) == 401) {
                    refusedAfterMs[i - 1] = (System.nanoTime() - t0) / 1_000_000;
                    refused++;
                }
            }
            Thread.sleep(20);
        }
        long worst = java.util.Arrays.stream(refusedAfterMs).map(ms -> ms < 0 ? Long.MAX_VALUE : ms).max().orElse(-1);
        boolean pass = before.toString().equals("200/200/200") && out == 200 && worst <= BOUND_MS;
        return new ClusterChecks.Row(name,
                "user token verified on all 3 instances, POST /api/auth/logout on instance 1, then GET /api/auth/verify on each every 20 ms",
                "before: " + before + "; logout " + out + "; refused (401) after " + java.util.Arrays.toString(refusedAfterMs) + " ms",
                pass);
    }
}
