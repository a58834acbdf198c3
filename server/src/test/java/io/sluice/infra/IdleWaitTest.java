package io.sluice.infra;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The idle wait of the background queue consumers: an element or close ends it, and close's interrupt never leaks. */
class IdleWaitTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void anElementEndsTheWaitAtOnce() throws Exception {
        IdleWait idle = new IdleWait();
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                got.complete(idle.poll(queue, LONG));
            } catch (InterruptedException e) {
                got.completeExceptionally(e);
            }
        });
        Thread.sleep(100);
        queue.add("x");
        assertEquals("x", got.get(10, TimeUnit.SECONDS));
    }

    @Test
    void wakeEndsTheWaitAndItsInterruptDoesNotReachTheNextCall() throws Exception {
        IdleWait idle = new IdleWait();
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                got.complete(idle.poll(queue, LONG));
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            } catch (InterruptedException e) {
                got.completeExceptionally(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long start = System.nanoTime();
        idle.wake();
        assertNull(got.get(10, TimeUnit.SECONDS));
        assertFalse(interruptedAfter.get(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        // after wake, a wait does not block: it takes what is there or returns null
        assertNull(idle.poll(queue, LONG));
        queue.add("y");
        assertEquals("y", idle.poll(queue, LONG));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void anInterruptThatIsNotTheWakeIsTheCallers() throws Exception {
        IdleWait idle = new IdleWait();
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                idle.poll(queue, LONG);
                thrown.complete(null);
            } catch (InterruptedException e) {
                thrown.complete(e);
            }
        });
        Thread.sleep(100);
        waiter.interrupt();
        assertTrue(thrown.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
        assertThrows(InterruptedException.class, () -> {
            Thread.currentThread().interrupt();
            idle.poll(queue, LONG);
        });
    }
}
