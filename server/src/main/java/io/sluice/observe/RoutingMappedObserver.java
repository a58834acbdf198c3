package io.sluice.observe;

import java.util.List;
import java.util.function.UnaryOperator;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserverConfigBase;
import io.helidon.webserver.observe.spi.Observer;
import io.helidon.webserver.spi.ServerFeature;

/**
 * A Helidon observer (health, metrics: the {@code /observe/*} endpoints) that registers on routing
 * builders passed through {@code map} first: how Sluice records the observers' routes in the route
 * table and drops the metrics observer's per-request filter ({@link MetricsEndpointObserver}).
 */
public final class RoutingMappedObserver implements Observer {
    private final Observer delegate;
    private final UnaryOperator<HttpRouting.Builder> map;

    public RoutingMappedObserver(Observer delegate, UnaryOperator<HttpRouting.Builder> map) {
        this.delegate = delegate;
        this.map = map;
    }

    @Override
    public ObserverConfigBase prototype() {
        return delegate.prototype();
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void register(ServerFeature.ServerFeatureContext ctx, List<HttpRouting.Builder> routings,
                         UnaryOperator<String> endpoint) {
        delegate.register(ctx, routings.stream().map(map).toList(), endpoint);
    }
}
