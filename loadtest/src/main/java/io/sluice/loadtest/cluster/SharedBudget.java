package io.sluice.loadtest.cluster;

/** One client's rate budget is one budget across the instances: N+1 requests round robin, the last is 429. */
final class SharedBudget implements ClusterChecks.Check {
    static final int BUDGET = 100;   // ratelimit.per-client of the cluster under test (window 1h)

    private final Keys keys;

    SharedBudget(Keys keys) {
        this.keys = keys;
    }

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        String key = keys.fresh(1).getFirst();
        int ok = 0;
        int last = 0;
        int firstRefused = -1;
        for (int i = 1; i <= BUDGET + 1; i++) {
            last = c.status("GET", c.lb + "/v1/models", key, null);
            if (last == 200) {
                ok++;
            } else if (firstRefused < 0) {
                firstRefused = i;
            }
        }
        // Leases (ratelimit.lease-percent) may hold a token or two back at another instance: never more than N pass.
        boolean pass = last == 429 && ok <= BUDGET && ok >= BUDGET - 3;
        return new ClusterChecks.Row("shared rate budget",
                (BUDGET + 1) + " GET /v1/models with one user's token through HAProxy (round robin over 3 instances), per-client budget " + BUDGET,
                ok + " answered 200, first refusal at request " + firstRefused + ", last answered " + last, pass);
    }
}
