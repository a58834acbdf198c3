package io.sluice.observe;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.observe.spi.Observer;

/**
 * Helidon's metrics observer (the {@code /observe/metrics} endpoint, Prometheus text or JSON)
 * without its per-request "key performance indicator" filter. That filter, which Helidon adds to
 * every routing it serves, counts each request once more ({@code requests_count}) and registers a
 * post-request object in the request's context: about 5% of the CPU of an authenticated
 * {@code GET /v1/models} under load (JFR). {@link AccessLogFilter} already times every request by
 * method, route and status ({@code sluice_http_requests}), so the count is kept once, there.
 *
 * <p>How: the observer registers an {@link HttpFeature} whose setup adds the filter and the
 * endpoint; here that feature sees a routing builder on which {@code addFilter} does nothing.
 */
public final class MetricsEndpointObserver {
    private MetricsEndpointObserver() {
    }

    public static Observer of(MetricsObserver metrics) {
        return new RoutingMappedObserver(metrics, MetricsEndpointObserver::featuresWithoutFilters);
    }

    /** A routing builder whose features (the observer's one) are set up on a builder that ignores filters. */
    private static HttpRouting.Builder featuresWithoutFilters(HttpRouting.Builder real) {
        return proxy(real, (self, method, args) -> {
            if (method.getName().equals("addFeature") && args.length == 1 && args[0] instanceof HttpFeature f) {
                real.addFeature(new FilterlessFeature(f));
                return self;
            }
            return forward(real, self, method, args);
        });
    }

    private record FilterlessFeature(HttpFeature feature) implements HttpFeature {
        @Override
        public void setup(HttpRouting.Builder routing) {
            feature.setup(proxy(routing, (self, method, args) ->
                    method.getName().equals("addFilter") ? self : forward(routing, self, method, args)));
        }

        @Override
        public String socket() {
            return feature.socket();
        }

        @Override
        public boolean socketRequired() {
            return feature.socketRequired();
        }
    }

    private static HttpRouting.Builder proxy(HttpRouting.Builder real, InvocationHandler handler) {
        return (HttpRouting.Builder) Proxy.newProxyInstance(HttpRouting.Builder.class.getClassLoader(),
                                                            new Class<?>[] {HttpRouting.Builder.class}, handler);
    }

    /** Calls the real builder; a returned {@code this} stays the proxy, so chained calls keep their filtering. */
    private static Object forward(HttpRouting.Builder real, Object self, java.lang.reflect.Method method, Object[] args)
            throws Throwable {
        try {
            Object result = method.invoke(real, args);
            return result == real ? self : result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
