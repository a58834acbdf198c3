package io.sluice.fileproxy;

import java.time.Duration;

/**
 * The guide's network-quality table. Chunk and timeout scale the configured base (the "poor I/O"
 * column: 16 KB, 90 s), so the defaults give exactly 8 KB/45 s, 16 KB/60 s, 32 KB/90 s, 64 KB/120 s,
 * and a test can shrink the base without changing the shape. A slower network gets larger chunks
 * (fewer writes per byte while each round trip is expensive) and more time.
 */
public enum NetworkLevel {
    GOOD(50, 0.5, 1, 2),
    MEDIUM(150, 1, 2, 3),
    POOR(300, 2, 1, 1),
    VERY_POOR(Long.MAX_VALUE, 4, 4, 3);

    private final long belowMillis;
    private final double chunkFactor;
    private final long timeoutNum;
    private final long timeoutDen;

    NetworkLevel(long belowMillis, double chunkFactor, long timeoutNum, long timeoutDen) {
        this.belowMillis = belowMillis;
        this.chunkFactor = chunkFactor;
        this.timeoutNum = timeoutNum;
        this.timeoutDen = timeoutDen;
    }

    /** The level of an average response time. */
    static NetworkLevel of(double millis) {
        for (NetworkLevel l : values()) {
            if (millis < l.belowMillis) {
                return l;
            }
        }
        return VERY_POOR;
    }

    /** Bytes per read/write; base is the MEDIUM chunk (16 KB by default). */
    int chunk(int base) {
        return (int) (base * chunkFactor);
    }

    /** The stall bound of one read; base is the POOR timeout (90 s by default). */
    Duration timeout(Duration base) {
        return base.multipliedBy(timeoutNum).dividedBy(timeoutDen);
    }

    /** Lower-case name for JSON and logs ("very_poor"). */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
