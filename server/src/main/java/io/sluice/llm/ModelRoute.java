package io.sluice.llm;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A model's route made live: its tiers as arrays of {@link Deployment}s with their weights, and the
 * choice of the next target of a tier. A choice looks at each target of the tier once (O(targets)),
 * allocates nothing and takes no lock; the targets already tried for this request are a bit set.
 */
final class ModelRoute {
    /** One call in this many explores by weight under lowest-latency, so a target that was slow gets measured again. */
    private static final int EXPLORE_ONE_IN = 20;
    /** Lowest-latency counts one choice in this many (as this many) towards the passed-over targets' probes. */
    private static final int COUNT_ONE_IN = 8;

    private final LlmModel.Strategy strategy;
    private final Deployment[][] tiers;
    private final int[][] weights;

    ModelRoute(LlmModel model, Map<String, Deployment> deployments) {
        this.strategy = model.strategy();
        List<List<LlmModel.Target>> t = model.tiers();
        this.tiers = new Deployment[t.size()][];
        this.weights = new int[t.size()][];
        for (int i = 0; i < t.size(); i++) {
            List<LlmModel.Target> tier = t.get(i);
            tiers[i] = new Deployment[tier.size()];
            weights[i] = new int[tier.size()];
            for (int j = 0; j < tier.size(); j++) {
                tiers[i][j] = deployments.get(tier.get(j).key());
                weights[i][j] = tier.get(j).weight();
            }
        }
    }

    int tiers() {
        return tiers.length;
    }

    Deployment target(int tier, int index) {
        return tiers[tier][index];
    }

    /** True when some target of the route would take a call now; when none would, the router tries them all anyway. */
    boolean anyAvailable(long now) {
        for (Deployment[] tier : tiers) {
            for (Deployment d : tier) {
                if (d.available(now)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The index of the tier's next target, or -1 when every target was tried or is shut.
     *
     * @param tried     bit i set: target i was tried already
     * @param anyState  true to ignore the breakers (every target of the route is shut)
     */
    int pick(int tier, long tried, boolean anyState, long now) {
        Deployment[] ds = tiers[tier];
        if (ds.length == 1) {
            return tried == 0 && (anyState || ds[0].available(now)) ? 0 : -1;
        }
        return switch (strategy) {
            case WEIGHTED -> weighted(tier, tried, anyState, now);
            case LEAST_BUSY -> leastBusy(ds, tried, anyState, now);
            case LOWEST_LATENCY -> ThreadLocalRandom.current().nextInt(EXPLORE_ONE_IN) == 0
                    ? weighted(tier, tried, anyState, now)
                    : fastest(ds, tried, anyState, now);
        };
    }

    private static boolean eligible(Deployment d, int i, long tried, boolean anyState, long now) {
        return (tried & (1L << i)) == 0 && (anyState || d.available(now));
    }

    private int weighted(int tier, long tried, boolean anyState, long now) {
        Deployment[] ds = tiers[tier];
        int[] w = weights[tier];
        int total = 0;
        for (int i = 0; i < ds.length; i++) {
            if (eligible(ds[i], i, tried, anyState, now)) {
                total += w[i];
            }
        }
        if (total == 0) {
            return -1;
        }
        int r = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < ds.length; i++) {
            if (eligible(ds[i], i, tried, anyState, now)) {
                r -= w[i];
                if (r < 0) {
                    return i;
                }
            }
        }
        return -1;   // not reached: the second pass sees the same eligible set unless a breaker shut meanwhile
    }

    /** Fewest in flight; ties go to whichever comes first from a random start, so equal targets share evenly. */
    private static int leastBusy(Deployment[] ds, long tried, boolean anyState, long now) {
        int start = ThreadLocalRandom.current().nextInt(ds.length);
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < ds.length; k++) {
            int i = (start + k) % ds.length;
            if (eligible(ds[i], i, tried, anyState, now)) {
                int load = ds[i].inFlight();
                if (load < bestLoad) {
                    best = i;
                    bestLoad = load;
                }
            }
        }
        return best;
    }

    /**
     * Lowest moving-average time to first token; a target not measured yet comes first (0), and a
     * measured one passed over about {@link Deployment#STALE_AFTER} times gets one probe call, so a
     * target that was slow once is measured again within a bounded number of requests (in the
     * mean; the count is kept on one choice in {@link #COUNT_ONE_IN}, as that many, so that the
     * choices of many threads rarely write to the shared targets). The targets passed over count it;
     * the one chosen starts its count again.
     */
    private static int fastest(Deployment[] ds, long tried, boolean anyState, long now) {
        int random = ThreadLocalRandom.current().nextInt() >>> 1;
        int start = (random / COUNT_ONE_IN) % ds.length;
        int best = -1;
        long bestLatency = Long.MAX_VALUE;
        for (int k = 0; k < ds.length; k++) {
            int i = (start + k) % ds.length;
            if (eligible(ds[i], i, tried, anyState, now)) {
                long latency = ds[i].latencyNanos();
                if (latency != 0 && ds[i].claimProbe()) {
                    return i;
                }
                if (latency < bestLatency) {
                    best = i;
                    bestLatency = latency;
                }
            }
        }
        if (random % COUNT_ONE_IN == 0 && best >= 0 && bestLatency != 0) {
            ds[best].chosen();
            for (int i = 0; i < ds.length; i++) {
                if (i != best && eligible(ds[i], i, tried, anyState, now)) {
                    ds[i].passedOver(COUNT_ONE_IN);
                }
            }
        }
        return best;
    }
}
