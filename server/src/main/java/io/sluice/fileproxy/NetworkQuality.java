package io.sluice.fileproxy;

/**
 * One origin's network level from a rolling window of its last response times (time to the origin's
 * headers). Hysteresis: the level changes only after {@code hysteresis} consecutive samples whose
 * window average points to the same new level, so one slow answer at a band's edge does not flap it.
 */
final class NetworkQuality {
    private final long[] window;
    private final int hysteresis;
    private int next;
    private int filled;
    private long sum;
    private NetworkLevel level = NetworkLevel.GOOD;
    private NetworkLevel candidate;
    private int streak;

    NetworkQuality(int windowSize, int hysteresis) {
        this.window = new long[windowSize];
        this.hysteresis = hysteresis;
    }

    synchronized void record(long millis) {
        if (filled == window.length) {
            sum -= window[next];
        } else {
            filled++;
        }
        window[next] = millis;
        sum += millis;
        next = (next + 1) % window.length;
        NetworkLevel seen = NetworkLevel.of(sum / (double) filled);
        if (seen == level) {
            candidate = null;
            streak = 0;
        } else if (seen == candidate) {
            if (++streak >= hysteresis) {
                level = seen;
                candidate = null;
                streak = 0;
            }
        } else {
            candidate = seen;
            streak = 1;
            if (hysteresis <= 1) {
                level = seen;
                candidate = null;
                streak = 0;
            }
        }
    }

    synchronized NetworkLevel level() {
        return level;
    }

    synchronized double averageMillis() {
        return filled == 0 ? 0 : sum / (double) filled;
    }
}
