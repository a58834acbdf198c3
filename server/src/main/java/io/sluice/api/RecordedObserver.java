package io.sluice.api;

import java.util.List;
import java.util.function.UnaryOperator;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserverConfigBase;
import io.helidon.webserver.observe.spi.Observer;
import io.helidon.webserver.spi.ServerFeature;

/**
 * A Helidon observer (health, metrics: the {@code /observe/*} endpoints) whose routes land in the
 * {@link RouteTable}: they are added by Helidon's observe feature, not by Sluice's routing code.
 */
public final class RecordedObserver implements Observer {
    private final Observer delegate;
    private final RouteTable table;

    public RecordedObserver(Observer delegate, RouteTable table) {
        this.delegate = delegate;
        this.table = table;
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
        delegate.register(ctx, routings.stream().map(table::recording).toList(), endpoint);
    }
}
