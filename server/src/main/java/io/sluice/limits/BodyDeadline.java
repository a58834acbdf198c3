package io.sluice.limits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.webserver.http.ServerRequest;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a request body whole, within a deadline: {@code timeout} plus one second per
 * {@code minRate} bytes already received (a large body on a decent link earns its time; a drip of a
 * byte every few seconds does not). Helidon sets no read timeout on accepted sockets, so a watchdog
 * interrupts the connection's virtual thread once an upload is overdue: an interrupted virtual
 * thread blocked in a socket read closes the socket, so the client is cut and holds nothing. The
 * reader then answers 408 (if the socket can still carry it). Bodies are read here before an
 * admission permit is taken, so still-uploading requests never hold the permits others need.
 */
public final class BodyDeadline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BodyDeadline.class);

    private final long timeoutNanos;
    private final long minRate;
    private final long maxBytes;
    private final BodyBudget budget;
    private final Set<Upload> uploads = ConcurrentHashMap.newKeySet();
    private final Sweeper watchdog;

    public BodyDeadline(Duration timeout, long minRate, long maxBytes, BodyBudget budget) {
        this.timeoutNanos = timeout.toNanos();
        this.minRate = minRate;
        this.maxBytes = maxBytes;
        this.budget = budget;
        long tick = Math.max(20, Math.min(250, timeout.toMillis() / 10));
        this.watchdog = new Sweeper("sluice-body-deadline", tick, uploads::isEmpty, this::sweep);
    }

    /** A body received whole, holding its share of the {@link BodyBudget} until closed (when its request ends). */
    public final class Received implements AutoCloseable {
        private final byte[] bytes;
        private int reservedKib;

        private Received(byte[] bytes, int reservedKib) {
            this.bytes = bytes;
            this.reservedKib = reservedKib;
        }

        public byte[] bytes() {
            return bytes;
        }

        @Override
        public void close() {
            budget.release(reservedKib);
            reservedKib = 0;
        }
    }

    /**
     * The whole body of {@code req} (which must have an entity); 408 when it is overdue, 413 above the
     * size limit, 503 when the bodies already in memory use up the budget.
     */
    public Received receive(ServerRequest req) {
        Upload upload = new Upload(Thread.currentThread(), System.nanoTime());
        byte[] body;
        long declared = req.headers().contentLength().orElse(-1);
        // Reserved before the stream is opened: opening it answers "Expect: 100-continue", so a client is told
        // to send only once its buffer is counted, and one that does not fit gets its 503 without sending.
        int first = (int) Math.min(declared >= 0 ? declared + 1 : 8192, Math.min(maxBytes + 1, 1 << 20));
        upload.reservedKib = budget.reserve(first);
        uploads.add(upload);
        watchdog.wake();
        byte[] buf = new byte[first];
        try (InputStream in = req.content().inputStream()) {
            body = readAll(in, buf, upload);
        } catch (IOException | RuntimeException e) {
            budget.release(upload.reservedKib);
            if (upload.finish()) {
                throw overdue(e);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        } finally {
            uploads.remove(upload);
        }
        if (upload.finish()) {
            // The watchdog struck just as the last byte came in: the socket is gone either way.
            budget.release(upload.reservedKib);
            throw overdue(null);
        }
        return new Received(body, upload.reservedKib);
    }

    private byte[] readAll(InputStream in, byte[] buf, Upload upload) throws IOException {
        int size = 0;
        for (int n; (n = in.read(buf, size, buf.length - size)) > 0; ) {
            size += n;
            upload.received = size;
            if (size > maxBytes) {
                throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body exceeds the server's max-payload-size");
            }
            if (size == buf.length) {
                int grown = (int) Math.min((long) buf.length * 2, maxBytes + 1);
                upload.reservedKib += budget.reserve(grown - buf.length);
                buf = Arrays.copyOf(buf, grown);
            }
        }
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    private ApiException overdue(Throwable cause) {
        Thread.interrupted();   // the watchdog's interrupt is spent: the connection thread goes on clean
        ApiException e = new ApiException(ErrorCode.REQUEST_BODY_TIMEOUT, "the request body did not arrive within "
                + timeoutNanos / 1_000_000 + " ms" + (minRate > 0 ? " (plus 1 s per " + minRate + " bytes received)" : ""));
        if (cause != null) {
            e.addSuppressed(cause);
        }
        return e;
    }

    /** Uploads still arriving. */
    public int inProgress() {
        return uploads.size();
    }

    private void sweep(long now) {
        for (Upload u : uploads) {
            if (u.cutIfOverdue(now)) {
                LOG.debug("closing a connection whose request body took longer than allowed ({} bytes received)", u.received);
            }
        }
    }

    @Override
    public void close() {
        watchdog.close();
    }

    /** One body being received; the reader and the watchdog agree under its lock on who ended it. */
    private final class Upload {
        private final Thread thread;
        private final long start;
        private volatile long received;
        private int reservedKib;   // the reader's thread only
        private boolean done;
        private boolean cut;

        Upload(Thread thread, long start) {
            this.thread = thread;
            this.start = start;
        }

        synchronized boolean cutIfOverdue(long now) {
            long allowance = minRate > 0 ? (long) (received * 1e9 / minRate) : 0;
            if (done || now - (start + timeoutNanos + allowance) <= 0) {
                return false;
            }
            cut = true;
            done = true;
            thread.interrupt();
            return true;
        }

        /** Ends the upload; true if the watchdog cut it first. */
        synchronized boolean finish() {
            done = true;
            return cut;
        }
    }
}
