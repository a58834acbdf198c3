package io.sluice.observe.monitor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alert events as JSON to {@code monitoring.alerts.webhook-url} (and budget warnings to {@code spend.webhook-url}). Each POST runs on its own
 * virtual thread with a connect and answer deadline; at most {@value #MAX_IN_FLIGHT} are in flight,
 * beyond that an event is dropped and counted. Neither the monitor thread nor any request waits on it.
 */
public final class Webhook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
    static final int MAX_IN_FLIGHT = 4;

    private final URI url;
    private final Duration timeout;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    public Webhook(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).executor(threads).build();
    }

    public void post(String json) {
        if (!inFlight.tryAcquire()) {
            dropped.incrementAndGet();
            LOG.warn("alert webhook: {} POSTs still in flight, event dropped", MAX_IN_FLIGHT);
            return;
        }
        try {
            threads.execute(() -> send(json));
        } catch (RuntimeException e) {   // closed during shutdown
            inFlight.release();
        }
    }

    private void send(String json) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 300) {
                failed.incrementAndGet();
                LOG.warn("alert webhook at {} answered {}", url.getHost(), status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failed.incrementAndGet();
            LOG.warn("alert webhook at {} failed: {}", url.getHost(), e.toString());   // host only: the path may hold a token
        } finally {
            inFlight.release();
        }
    }

    long dropped() {
        return dropped.get();
    }

    long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        threads.shutdownNow();
        client.shutdownNow();
    }
}
