package io.sluice.limits;

import java.time.Duration;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.http.ReceivedBody;
import io.sluice.tracing.TraceSpan;
import io.sluice.tracing.Tracing;

/**
 * Every API request holds a global permit and runs under the request deadline. Probes and metrics
 * bypass both, so Kubernetes and Prometheus still get answers when the server is saturated. A request
 * body is received whole (bounded in size and time by {@link BodyDeadline}) BEFORE the permit is
 * waited for: a client uploading slowly holds no permit, and the handler reads the body from memory.
 */
public final class AdmissionFilter implements Filter {
    private final Admission admission;
    private final Deadlines deadlines;
    private final Duration requestDeadline;
    private final BodyDeadline bodies;
    private final Arrivals arrivals;
    private final Tracing tracing;

    public AdmissionFilter(Admission admission, Deadlines deadlines, Duration requestDeadline, BodyDeadline bodies,
                           Arrivals arrivals, Tracing tracing) {
        this.tracing = tracing;
        this.admission = admission;
        this.deadlines = deadlines;
        this.requestDeadline = requestDeadline;
        this.bodies = bodies;
        this.arrivals = arrivals;
    }

    public static boolean isOperational(String path) {
        return path.startsWith("/observe/") || path.equals("/observe") || path.equals("/health") || path.equals("/metrics")
               || path.equals("/stats");
    }

    /** The request permit; with tracing on, the wait is an {@code admission.wait} span. */
    private Permit acquire(long arrived) {
        if (!tracing.enabled()) {
            return admission.acquireRequest(arrived);
        }
        try (TraceSpan span = tracing.span("admission.wait")) {
            try {
                return admission.acquireRequest(arrived);
            } catch (RuntimeException e) {
                span.error("not admitted: " + e.getClass().getSimpleName());
                throw e;
            }
        }
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (isOperational(req.path().path())) {
            chain.proceed();
            return;
        }
        try (Deadlines.Guard deadline = deadlines.start(requestDeadline)) {
            // Helidon maps a handler's exception before control returns here; the error mapper
            // finds the guard in the context and answers 504 when the deadline caused it.
            req.context().register(deadline);
            long arrived = arrivals.arrivedAt(System.nanoTime());
            BodyDeadline.Received body = null;
            try {
                if (req.content().hasEntity()) {
                    long uploadStart = System.nanoTime();
                    body = bodies.receive(req);
                    req.context().register(new ReceivedBody(body.bytes()));
                    arrived += System.nanoTime() - uploadStart;   // the upload's time is not queueing time
                }
                // One queue timeout from arrival for every permit this request waits for (request, stream).
                try (Permit permit = acquire(arrived)) {
                    chain.proceed();
                }
            } finally {
                if (body != null) {
                    body.close();   // its memory goes back to the body budget
                }
            }
        }
    }
}
