package io.sluice.limits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one limit behind admission and bulkheads, driven directly: the invariant, the queue bound, release-once. */
class BoundedSemaphoreTest {

    /** Thrown by the test refuser, carrying why. */
    static final class Refused extends RuntimeException {
        final BoundedSemaphore.Refusal why;

        Refused(BoundedSemaphore.Refusal why) {
            super(why.name(), null, false, false);
            this.why = why;
        }
    }

    private static BoundedSemaphore semaphore(int max, int maxQueue) {
        return new BoundedSemaphore("test", max, maxQueue, (why, waited) -> new Refused(why));
    }

    @Test
    void hundredThreadsNeverExceedTheLimitAndEveryPermitComesBack() throws Exception {
        int limit = 7;
        BoundedSemaphore s = semaphore(limit, Integer.MAX_VALUE);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(100)) {
            for (int i = 0; i < 100; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int round = 0; round < 20; round++) {
                        Permit p = s.acquire(Duration.ofSeconds(30));
                        try {
                            int now = inFlight.incrementAndGet();
                            maxSeen.accumulateAndGet(now, Math::max);
                            assertTrue(s.inFlight() <= limit);
                            Thread.yield();
                            inFlight.decrementAndGet();
                        } finally {
                            p.close();
                            p.close();   // a second close must not hand out an extra permit
                        }
                    }
                    done.incrementAndGet();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertEquals(100, done.get());
        assertTrue(maxSeen.get() <= limit, "in flight never above the limit: " + maxSeen.get());
        assertEquals(0, s.inFlight(), "every permit came back");
        assertEquals(0, s.waiting());
        assertEquals(0, s.rejected());
        // and all of them are usable again
        List<Permit> all = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            all.add(s.acquire(Duration.ZERO));
        }
        assertSame(BoundedSemaphore.Refusal.TIMEOUT, assertThrows(Refused.class, () -> s.acquire(Duration.ZERO)).why);
        all.forEach(Permit::close);
        assertEquals(0, s.inFlight());
    }

    @Test
    void aFullQueueRefusesAtOnceAndATimedOutWaitIsRefusedToo() throws Exception {
        BoundedSemaphore s = semaphore(1, 1);
        Permit held = s.acquire(Duration.ZERO);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Permit> waiter = pool.submit(() -> s.acquire(Duration.ofSeconds(30)));
            while (s.waiting() < 1) {
                Thread.sleep(5);
            }
            assertSame(BoundedSemaphore.Refusal.QUEUE_FULL,
                       assertThrows(Refused.class, () -> s.acquire(Duration.ofSeconds(30))).why);
            held.close();
            waiter.get().close();
        }
        Permit again = s.acquire(Duration.ZERO);
        assertSame(BoundedSemaphore.Refusal.TIMEOUT, assertThrows(Refused.class, () -> s.acquire(Duration.ofMillis(20))).why);
        again.close();
        assertEquals(2, s.rejected());
        assertEquals(0, s.inFlight());
        assertEquals(0, s.waiting());
    }

    @Test
    void anInterruptedWaitIsRefusedAndKeepsTheInterrupt() throws Exception {
        BoundedSemaphore s = semaphore(1, 10);
        Permit held = s.acquire(Duration.ZERO);
        Thread.currentThread().interrupt();
        try {
            assertSame(BoundedSemaphore.Refusal.INTERRUPTED, assertThrows(Refused.class, () -> s.acquire(Duration.ofSeconds(5))).why);
            assertTrue(Thread.interrupted(), "interrupt status restored");
        } finally {
            held.close();
        }
        assertEquals(0, s.inFlight());
    }
}
