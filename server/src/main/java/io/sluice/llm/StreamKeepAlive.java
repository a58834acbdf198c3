package io.sluice.llm;

import java.time.Duration;

/**
 * What a stream writes to its client while nothing else arrives: a {@code : ping} every ping
 * interval (load balancers cut silent connections), and once the response is committed an empty
 * {@code :} comment every probe interval, which is how a departed client is noticed within about
 * two probes instead of at the next ping.
 */
final class StreamKeepAlive {
    private final long probeNanos;

    StreamKeepAlive(long probeNanos) {
        this.probeNanos = probeNanos;
    }

    /**
     * Nanoseconds until the stream owes the client a write: the next ping, or, once the response is
     * committed, the next probe (an empty SSE comment). Writing is the only way the platform lets a
     * handler notice a departed client: the first write after it left draws a reset, the next one fails.
     */
    long nextWrite(SseWriter out, long now) {
        return Math.min(out.nanosUntilPing(now), out.committed() ? out.nanosUntilProbe(now, probeNanos) : Long.MAX_VALUE);
    }

    /** Pings or probes the client when one is due; a departed client surfaces as {@link ClientGoneException}. */
    void write(SseWriter out, long now) {
        if (out.nanosUntilPing(now) <= 0) {
            out.ping();
        } else if (out.committed() && out.nanosUntilProbe(now, probeNanos) <= 0) {
            out.probe();
        }
    }

    /** Waits between retries, still pinging the client; false when the request deadline interrupted the wait. */
    boolean pause(Duration delay, SseWriter out) {
        long end = System.nanoTime() + delay.toNanos();
        try {
            for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                long slice = end - now;
                if (out != null) {
                    long untilWrite = nextWrite(out, now);
                    if (untilWrite <= 0) {
                        write(out, now);
                        continue;
                    }
                    slice = Math.min(slice, untilWrite);
                }
                Thread.sleep(Duration.ofNanos(slice));
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
