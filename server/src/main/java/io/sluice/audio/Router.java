package io.sluice.audio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;
import io.sluice.limits.Bulkhead;
import io.sluice.limits.Permit;

/**
 * Calls a model's route in order: each upstream call holds a slot of the service's bulkhead and runs
 * under the per-call timeout. A provider's 5xx failure (unreachable, timed out, broken) moves on to
 * the next provider while nothing has reached the client yet; a 4xx, a full bulkhead, or a failure
 * after the first byte ends the call.
 */
final class Router {
    /** One upstream call. */
    interface Call<T> {
        T run(AudioProvider provider, AudioSettings.Target target) throws Exception;
    }

    private final Map<String, AudioProvider> providers;
    private final AudioMeters meters;

    Router(Map<String, AudioProvider> providers, AudioMeters meters) {
        this.providers = providers;
        this.meters = meters;
    }

    /**
     * @param able     which providers of the route can serve the call (a speech format); others are skipped
     * @param started  true once output reached the caller: no fallback from then on
     */
    <T> T call(String kind, AudioSettings.Model model, Predicate<AudioProvider> able, Bulkhead bulkhead, Duration timeout,
               BooleanSupplier started, Call<T> call) {
        ApiException last = null;
        List<AudioSettings.Target> route = model.route();
        for (AudioSettings.Target target : route) {
            AudioProvider p = providers.get(target.provider());
            if (!able.test(p)) {
                continue;
            }
            try (Permit slot = bulkhead.acquire()) {
                long start = System.nanoTime();
                ApiException failure;
                try (CallTimeout timer = CallTimeout.start(timeout)) {
                    try {
                        T result = call.run(p, target);
                        meters.call(kind, p.name(), "ok", System.nanoTime() - start);
                        return result;
                    } catch (Exception e) {
                        failure = timer.expired() ? Upstream.timeout(p.name(), kind, timeout) : map(p, e);
                    }
                }
                meters.call(kind, p.name(), failure.code(), System.nanoTime() - start);
                if (failure.status() < 500 || started.getAsBoolean()) {
                    throw failure;
                }
                last = failure;
            }
        }
        if (last == null) {
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "no provider of model " + model.name() + " can serve this call");
        }
        throw last;
    }

    private static ApiException map(AudioProvider p, Exception e) {
        if (e instanceof ApiException a) {
            return a;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();   // a cancel from outside (shutdown, a deadline): keep the flag
            return new ApiException(ErrorCode.INTERRUPTED, "audio call to " + p.name() + " interrupted");
        }
        if (e instanceof ClientGone g) {
            throw g;
        }
        return Upstream.failure(p.name(), e);
    }

    /** The client went away while audio was being written to it: nothing to answer, nothing to fall back to. */
    static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("client closed the connection", cause, false, false);
        }
    }
}
