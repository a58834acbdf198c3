package io.sluice.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.sluice.http.ApiException;
import io.sluice.http.ClientAddress;
import io.sluice.http.ErrorCode;

/**
 * Caps the requests one client has in flight, so that a single API key or user (or, for callers
 * without credentials, a single IP) can never hold every admission permit: above the cap it gets 429
 * {@code too_many_concurrent_requests} with Retry-After at once, without waiting. Runs after
 * authentication (the credential comes from the request context) and before the body is received and
 * admission is waited for, so a capped client holds neither an upload slot nor a permit. The map holds
 * only clients with requests in flight: an entry goes when its count reaches zero.
 */
public final class ClientConcurrency implements Filter {
    private final int maxPerClient;
    private final int maxPerIp;
    private final Function<ServerRequest, String> credential;
    private final Duration retryAfter;
    private final ClientAddress clients;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();

    /**
     * @param credential the caller's credential key (API key or user), or null for a caller without one
     *                   (its IP is capped instead); a cap of 0 means none
     */
    public ClientConcurrency(int maxPerClient, int maxPerIp, Function<ServerRequest, String> credential, Duration retryAfter,
                             ClientAddress clients) {
        this.clients = clients;
        this.maxPerClient = maxPerClient;
        this.maxPerIp = maxPerIp;
        this.credential = credential;
        this.retryAfter = retryAfter;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // Both caps off: not even the credential needs looking up.
        if (maxPerClient <= 0 && maxPerIp <= 0 || AdmissionFilter.isOperational(req.path().path())) {
            chain.proceed();
            return;
        }
        String client = credential.apply(req);
        String key = client != null ? client : "ip:" + clients.of(req);
        int max = client != null ? maxPerClient : maxPerIp;
        if (max <= 0) {
            chain.proceed();
            return;
        }
        enter(key, max, client != null ? "this credential" : "this address");
        try {
            chain.proceed();
        } finally {
            leave(key);
        }
    }

    private void enter(String key, int max, String who) {
        boolean[] admitted = {false};
        inFlight.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            throw new ApiException(ErrorCode.TOO_MANY_CONCURRENT_REQUESTS, who + " already has " + max
                    + " requests in flight; wait for one to finish", retryAfter);
        }
    }

    private void leave(String key) {
        inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Clients with at least one request in flight (for tests and diagnostics). */
    public int clients() {
        return inFlight.size();
    }
}
