package io.sluice.observe;


import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.limits.AdmissionFilter;
import io.sluice.http.ErrorMapper;
import io.sluice.http.RequestId;
import io.sluice.http.Text;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The outermost filter: gives each request an id, maps any exception to the JSON error while the
 * status can still be logged, then writes one access-log line and records the request timer.
 * Only the path is logged (never the query string), and no header but User-Agent and session-id:
 * Authorization, cookies and keys never reach a log.
 */
public final class AccessLogFilter implements Filter {
    static final String LOGGER = "sluice.access";
    private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);

    private final ErrorMapper errors;
    private final ServerMeters meters;

    public AccessLogFilter(ErrorMapper errors, ServerMeters meters) {
        this.errors = errors;
        this.meters = meters;
        Logs.registerMeters(meters);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String path = req.path().path();   // before routing: handlers see it relative to their service
        RequestId id = RequestId.from(req.headers().first(HeaderNames.create(RequestId.HEADER)).orElse(null));
        req.context().register(id);
        res.header(RequestId.HEADER, id.value());
        MDC.put("request_id", id.value());
        try {
            chain.proceed();
        } catch (Throwable t) {
            errors.handle(req, res, t);
        } finally {
            long micros = (System.nanoTime() - start) / 1000;
            int status = res.status().code();
            meters.recordRequest(req.prologue().method().text(), req.matchingPattern().orElse("unmatched"), status, micros);
            log(req, path, status, micros, id.value());
            MDC.remove("request_id");
        }
    }

    private void log(RoutingRequest req, String path, int status, long micros, String id) {
        // Kubernetes probes and Prometheus scrapes every few seconds would drown the log.
        LoggingEventBuilder event = AdmissionFilter.isOperational(path) ? ACCESS.atDebug() : ACCESS.atInfo();
        String method = req.prologue().method().text();
        String ip = req.remotePeer().host();
        String session = clean(req.headers().first(HeaderNames.create("session-id")).orElse("none"));
        String agent = clean(req.headers().first(HeaderNames.USER_AGENT).orElse("-"));
        event.addKeyValue("request_id", id)
                .addKeyValue("method", method)
                .addKeyValue("path", clean(path))
                .addKeyValue("client_ip", ip)
                .addKeyValue("session_id", session)
                .addKeyValue("user_agent", agent)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", micros / 1000.0)
                .log("{} {} {} ip={} session={} ua=\"{}\" status={} duration_ms={}",
                     id, method, clean(path), ip, session, agent, status, String.format("%.1f", micros / 1000.0));
    }

    /** Caller-controlled text in a log line: printable, no quotes or newlines, bounded. */
    static String clean(String s) {
        return Text.clip(s.indexOf('"') < 0 ? s : s.replace('"', '?'), 200);
    }
}
