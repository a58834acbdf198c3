package io.sluice.limits;

import java.util.concurrent.Semaphore;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/**
 * The bytes of request bodies held in memory at once, across all requests. Bodies are received whole
 * before admission (so an upload holds no permit), which would otherwise let many clients — each
 * within its own per-IP or per-credential cap — buffer {@code max-payload-size} apiece. Memory is
 * reserved in KiB as a body's buffer grows and given back when its request ends; a reservation the
 * budget cannot cover at once is refused (503 {@code overloaded}), never waited for.
 */
public final class BodyBudget {
    private final Semaphore kib;
    private final int totalKib;

    public BodyBudget(long bytes) {
        this.totalKib = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes >> 10));
        this.kib = new Semaphore(totalKib);
    }

    /** Reserves room for {@code bytes} more (rounded up to KiB); the KiB taken, to give back later. */
    int reserve(long bytes) {
        int n = (int) Math.min(totalKib, (bytes + 1023) >> 10);
        if (n > 0 && !kib.tryAcquire(n)) {
            throw ApiException.unavailable(ErrorCode.OVERLOADED,
                    "too many request bodies in memory (admission.body-buffer-budget); retry later", java.time.Duration.ofSeconds(1));
        }
        return n;
    }

    void release(int reservedKib) {
        if (reservedKib > 0) {
            kib.release(reservedKib);
        }
    }

    /** KiB currently reserved (for tests and the status page). */
    public int inUseKib() {
        return totalKib - kib.availablePermits();
    }
}
