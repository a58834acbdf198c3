package io.sluice.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.sluice.http.Json;
import io.sluice.http.Text;
import io.sluice.tracing.Tracing;

/**
 * Any server speaking OpenAI's chat completions protocol (OpenAI, DeepSeek, vLLM, Ollama, ...),
 * through Helidon's blocking WebClient with keep-alive connection reuse. Connections in use are
 * bounded per provider and across all providers; the socket read timeout is a backstop, the
 * router enforces the finer deadlines by interrupting the calling thread.
 */
public final class OpenAiCompatibleProvider implements Provider, AutoCloseable {
    private static final int MAX_BODY = 16 << 20;
    private static final io.helidon.http.HeaderName TRACEPARENT = HeaderNames.create("traceparent");

    private final String name;
    private final Header authorization;   // built once; null without a key
    private final LlmSettings.Upstream timeouts;
    private final Semaphore connections;
    private final Semaphore allConnections;
    // The WebClient and its HTTP/1.1 client, built on first use (or by warmUp after the server listens):
    // building the first WebClient costs class loading and service look-ups, measured as most of the
    // features' wiring time (0.5-1.5 s for three providers), which start-to-ready should not pay.
    // Http1Client itself: a WebClient request first discovers which HTTP version an endpoint
    // speaks (an LRU cache keyed by endpoint, proxy and TLS, hashed per request: ~6% of a lean chat's
    // samples), although HTTP/1.1 is the only protocol on the classpath. Same connection cache and settings.
    private final ReentrantLock building = new ReentrantLock();
    private volatile WebClient web;
    private volatile Http1Client client;
    private final URI uri;   // parsed once, not per request
    private final Tracing tracing;

    public OpenAiCompatibleProvider(LlmProvider s, LlmSettings.Upstream timeouts, Semaphore allConnections, Tracing tracing) {
        this.name = s.name();
        this.tracing = tracing;
        this.uri = URI.create(s.baseUrl() + "/chat/completions");
        this.authorization = s.apiKey().isEmpty() ? null : HeaderValues.create(HeaderNames.AUTHORIZATION, false, true, "Bearer " + s.apiKey());
        this.timeouts = timeouts;
        this.connections = new Semaphore(timeouts.maxConnectionsPerProvider());
        this.allConnections = allConnections;
    }

    /** Builds the client now (a background thread after start-up), so the first call does not wait for it. */
    public void warmUp() {
        client();
    }

    private Http1Client client() {
        Http1Client c = client;
        if (c == null) {
            building.lock();   // a lock, not synchronized: no carrier pinned on JDK 21
            try {
                if (client == null) {
                    WebClient w = webClient(timeouts);
                    web = w;
                    client = w.client(Http1Client.PROTOCOL);
                }
                c = client;
            } finally {
                building.unlock();
            }
        }
        return c;
    }

    /** The upstream client every HTTP provider uses: keep-alive, tcp-no-delay, Sluice's connect and read timeouts. */
    static WebClient webClient(LlmSettings.Upstream timeouts) {
        var builder = WebClient.builder()
                // Without tcp-no-delay a request written in pieces waits on Nagle + delayed ACK (design.md).
                .socketOptions(SocketOptions.builder()
                                       .tcpNoDelay(true)
                                       .connectTimeout(timeouts.connectTimeout())
                                       .readTimeout(timeouts.totalTimeout())
                                       .build())
                .connectTimeout(timeouts.connectTimeout())
                .readTimeout(timeouts.totalTimeout())
                .keepAlive(true)
                .followRedirects(false)
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                // Idle pooled connections are not free: Helidon watches each one for a close by the server
                // with a read that times out every 100 ms, for as long as the read timeout. A burst of 3,000
                // streams left 3,000 of them, and 16 s of CPU in the next 20 s; so the pool keeps a bounded few
                // (enough for the calls in flight in steady state, or every call would open a new connection).
                .connectionCacheSize(Math.min(timeouts.maxIdleConnectionsPerProvider(), timeouts.maxConnectionsPerProvider()));
        if (!SystemProxy.configured()) {
            // The default proxy asks the JVM's ProxySelector about every request (a URI parsed and a
            // selector consulted: ~2% of a lean chat's samples); with no proxy property set its answer
            // is always "direct", so say so once.
            builder.proxy(Proxy.noProxy());
        }
        return builder.build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean simulated() {
        return false;
    }

    @Override
    public void call(UpstreamBody body, boolean stream, Delivery delivery) throws UpstreamException, InterruptedException {
        holdingConnections(name, connections, allConnections, timeouts.connectTimeout(), () -> exchange(body, stream, delivery));
    }

    /** An upstream exchange, run while its connections are held. */
    interface Exchange {
        void run() throws UpstreamException, InterruptedException;
    }

    /**
     * Runs the exchange holding one of the provider's connections and one of all providers'; busy when
     * either does not free up within {@code wait} (the connect timeout). Shared by the HTTP providers.
     */
    static void holdingConnections(String name, Semaphore own, Semaphore all, Duration wait, Exchange exchange)
            throws UpstreamException, InterruptedException {
        long nanos = wait.toNanos();
        if (!own.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
            throw UpstreamException.busy(name);
        }
        try {
            if (!all.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
                throw UpstreamException.busy(name);
            }
            try {
                exchange.run();
            } finally {
                all.release();
            }
        } finally {
            own.release();
        }
    }

    private void exchange(UpstreamBody body, boolean stream, Delivery delivery) throws UpstreamException, InterruptedException {
        // Streamed, every read waits at most for the first byte or the next chunk; the router's own deadlines come first.
        Duration readTimeout = stream ? max(timeouts.firstByteTimeout(), timeouts.idleTimeout()) : timeouts.totalTimeout();
        var request = client().post()
                .uri(uri)
                .readTimeout(readTimeout)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .header(stream ? HeaderValues.ACCEPT_EVENT_STREAM : HeaderValues.ACCEPT_JSON);
        if (authorization != null) {
            request.header(authorization);
        }
        String traceparent = tracing.traceparent();   // the attempt's span (null when tracing is off)
        if (traceparent != null) {
            request.header(TRACEPARENT, traceparent);
        }
        try (HttpClientResponse res = request.submit(body.bytes())) {
            int status = res.status().code();
            if (status != 200) {
                throw UpstreamException.status(name, status, errorDetail(res), retryAfter(res));
            }
            delivery.started();
            InputStream in = res.inputStream();
            if (stream) {
                SseReader.read(in, timeouts.maxSseLine(), delivery, name);
            } else {
                delivery.body(readAnswer(res, in));
            }
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("upstream call cancelled");
            }
            throw map(name, e);
        }
    }

    /**
     * A non-streamed answer, whole. With a content length it is read into an array of exactly that
     * size: {@code readNBytes(MAX_BODY + 1)} went through 16 KB buffers, two or three per answer of a
     * few hundred bytes, which made most of a chat request's allocation. The last read sees the end
     * of the entity, which hands the connection back to the keep-alive cache.
     */
    private byte[] readAnswer(HttpClientResponse res, InputStream in) throws IOException, UpstreamException {
        long length = res.headers().contentLength().orElse(-1);
        if (length > MAX_BODY) {
            throw UpstreamException.invalid(name, "an answer larger than " + MAX_BODY + " bytes");
        }
        if (length < 0) {   // chunked
            byte[] json = in.readNBytes(MAX_BODY + 1);
            if (json.length > MAX_BODY) {
                throw UpstreamException.invalid(name, "an answer larger than " + MAX_BODY + " bytes");
            }
            return json;
        }
        byte[] json = new byte[(int) length];
        int n = in.readNBytes(json, 0, json.length);
        if (n < json.length || in.read() != -1) {
            throw new IOException("answer ended after " + n + " of its " + length + " bytes");
        }
        return json;
    }

    /** Connect failures, timeouts and broken connections; all worth a retry before the first byte. */
    static UpstreamException map(String name, Exception e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException
                    || c.getClass().getSimpleName().equals("RuntimeUnknownHostException")) {
                return UpstreamException.unreachable(name, c.getClass().getSimpleName());
            }
            if (c instanceof SocketTimeoutException) {
                return UpstreamException.timeout(name, "did not answer in time (" + c.getMessage() + ")");
            }
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return UpstreamException.broken(name, "connection error: " + e.getClass().getSimpleName());
        }
        return UpstreamException.broken(name, e.getClass().getSimpleName());
    }

    /** OpenAI's error message from a failed answer, short and printable; never the whole body. */
    private static String errorDetail(HttpClientResponse res) {
        try {
            byte[] bytes = res.inputStream().readNBytes(8192);
            JsonNode json = Json.MAPPER.readTree(bytes);
            String message = json.path("error").path("message").asText(json.path("message").asText(""));
            return Text.clip(message, 300);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static Duration retryAfter(HttpClientResponse res) {
        try {
            return res.headers().first(HeaderNames.RETRY_AFTER).map(v -> Duration.ofSeconds(Long.parseLong(v.trim()))).orElse(null);
        } catch (NumberFormatException e) {
            return null;   // an HTTP date: fall back to our own backoff
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public void close() {
        WebClient w = web;
        if (w != null) {
            w.closeResource();
        }
    }
}
