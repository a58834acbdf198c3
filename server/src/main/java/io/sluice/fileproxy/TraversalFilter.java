package io.sluice.fileproxy;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Rejects a traversal attempt on {@code /files/} with 400 before routing, authentication or admission:
 * the router matches the decoded, normalised path, where {@code /files/a/../../x} would already be
 * {@code /x} and answer a misleading 404 (or reach another route). Only the raw path tells.
 * Installed only when an origin is configured.
 */
public final class TraversalFilter implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String raw = req.path().absolute().rawPath();
        if (raw.startsWith(FilePaths.PREFIX) || req.path().absolute().path().startsWith(FilePaths.PREFIX)) {
            FilePaths.parse(raw);   // throws 400 invalid_path
        }
        chain.proceed();
    }
}
