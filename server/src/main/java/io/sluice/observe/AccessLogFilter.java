package io.sluice.observe;


import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.sluice.limits.AdmissionFilter;
import io.sluice.http.ClientAddress;
import io.sluice.http.ErrorMapper;
import io.sluice.http.RequestId;
import io.sluice.http.Text;
import io.sluice.tracing.TraceId;
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
    private static final HeaderName SESSION_ID = HeaderNames.create("session-id");

    private final ErrorMapper errors;
    private final ServerMeters meters;
    private final ClientAddress clients;
    /** JSON lines carry the MDC and the key-values; the text pattern reads neither, so text skips both. */
    private final boolean structured;
    /** logging.access-start-line: a line when the request starts too. */
    private final boolean startLine;
    /** Tracing on: the line ends with the trace id. Off: not even a context look-up. */
    private final boolean traced;

    public AccessLogFilter(ErrorMapper errors, ServerMeters meters, ClientAddress clients, AccessLogSettings settings,
                           boolean traced) {
        this.clients = clients;
        this.traced = traced;
        this.startLine = settings.startLine();
        this.errors = errors;
        this.meters = meters;
        this.structured = Logs.structured();
        Logs.registerMeters(meters);
    }

    /** True while probe and scrape lines are logged (DEBUG on {@value #LOGGER}). */
    static boolean probesLogged() {
        return ACCESS.isDebugEnabled();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String path = req.path().path();   // before routing: handlers see it relative to their service
        String ip = clients.of(req);   // before the handler: a socket cut mid-request has no peer any more
        RequestId id = RequestId.from(req.headers().first(RequestId.HEADER_NAME).orElse(null));
        req.context().register(id);
        res.header(RequestId.HEADER_NAME, id.value());
        if (structured) {
            MDC.put("request_id", id.value());
        }
        if (startLine) {
            logStart(req, path, ip, id.value());
        }
        try {
            chain.proceed();
        } catch (Throwable t) {
            errors.handle(req, res, t);
        } finally {
            long micros = (System.nanoTime() - start) / 1000;
            int status = res.status().code();
            meters.recordRequest(req.prologue().method().text(), req.matchingPattern().orElse("unmatched"), status, micros);
            log(req, path, ip, status, micros, id.value());
            if (structured) {
                MDC.remove("request_id");
            }
        }
    }

    private void log(RoutingRequest req, String path, String ip, int status, long micros, String id) {
        // Kubernetes probes and Prometheus scrapes every few seconds would drown the log.
        boolean operational = AdmissionFilter.isOperational(path);
        if (operational ? !ACCESS.isDebugEnabled() : !ACCESS.isInfoEnabled()) {
            return;   // level off: build nothing
        }
        LoggingEventBuilder event = operational ? ACCESS.atDebug() : ACCESS.atInfo();
        String method = req.prologue().method().text();
        String session = clean(req.headers().first(SESSION_ID).orElse("none"));
        String agent = clean(req.headers().first(HeaderNames.USER_AGENT).orElse("-"));
        String cleanPath = clean(path);
        // One concatenation instead of a format string or a StringBuilder: the line is built on the
        // request thread, and javac's concatenation sizes it exactly and copies each part once.
        long tenths = (micros + 50) / 100;   // milliseconds with one decimal, rounded half up (as %.1f)
        // With tracing on, the ServerSpanFilter (outside this one) left the trace id in the context.
        String trace = traced ? req.context().get(TraceId.class).map(TraceId::value).orElse(null) : null;
        String line = id + ' ' + method + ' ' + cleanPath + " ip=" + ip + " session=" + session + " ua=\"" + agent
                + "\" status=" + status + " duration_ms=" + tenths / 10 + '.' + tenths % 10
                + (trace == null ? "" : " trace_id=" + trace);
        if (structured) {
            event.addKeyValue("request_id", id)
                    .addKeyValue("method", method)
                    .addKeyValue("path", cleanPath)
                    .addKeyValue("client_ip", ip)
                    .addKeyValue("session_id", session)
                    .addKeyValue("user_agent", agent)
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", micros / 1000.0);
            if (trace != null) {
                event.addKeyValue("trace_id", trace);
            }
        }
        event.log(line);
    }

    /** The podcast guide's request-start line: {@code <id> started POST /path ip=.. session=.. ua=".."}. */
    private void logStart(RoutingRequest req, String path, String ip, String id) {
        boolean operational = AdmissionFilter.isOperational(path);
        if (operational ? !ACCESS.isDebugEnabled() : !ACCESS.isInfoEnabled()) {
            return;
        }
        LoggingEventBuilder event = operational ? ACCESS.atDebug() : ACCESS.atInfo();
        String method = req.prologue().method().text();
        String session = clean(req.headers().first(SESSION_ID).orElse("none"));
        String agent = clean(req.headers().first(HeaderNames.USER_AGENT).orElse("-"));
        String cleanPath = clean(path);
        if (structured) {
            event.addKeyValue("request_id", id)
                    .addKeyValue("event", "start")
                    .addKeyValue("method", method)
                    .addKeyValue("path", cleanPath)
                    .addKeyValue("client_ip", ip)
                    .addKeyValue("session_id", session)
                    .addKeyValue("user_agent", agent);
        }
        event.log(id + " started " + method + ' ' + cleanPath + " ip=" + ip + " session=" + session + " ua=\"" + agent + '"');
    }

    /** Caller-controlled text in a log line: printable, no quotes or newlines, bounded. */
    static String clean(String s) {
        return Text.clip(s.indexOf('"') < 0 ? s : s.replace('"', '?'), 200);
    }
}
