package io.sluice.api;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

/**
 * Every route the server's routing was actually built with, as (method, path template): the list
 * the OpenAPI document is checked against. Helidon 4.5 keeps its routes private, so the routing
 * builder is wrapped: each {@code get/post/...} call and each service registered under a prefix
 * is recorded on its way to the real builder (a service's own rules are recorded as Helidon calls
 * its {@code routing(HttpRules)}). Nothing is listed by hand; a route added anywhere in the routing
 * appears here. Filled while the server builds its routing, read after start.
 */
public final class RouteTable {
    /** One route: an upper-case method (or ANY) and a path template such as {@code /v1/tasks/{id}}. */
    public record Route(String method, String path) implements Comparable<Route> {
        @Override
        public int compareTo(Route o) {
            int c = path.compareTo(o.path);
            return c != 0 ? c : method.compareTo(o.method);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch", "head", "options", "trace", "any");

    private final Set<Route> routes = Collections.synchronizedSet(new TreeSet<>());

    public Set<Route> routes() {
        synchronized (routes) {
            return Set.copyOf(routes);
        }
    }

    /** The real builder, with every route registered through it (or its services and features) recorded. */
    public HttpRouting.Builder recording(HttpRouting.Builder real) {
        return recording(real, HttpRouting.Builder.class, "");
    }

    /** A proxy of {@code real} (a routing builder, or the rules a service gets) that records what passes. */
    private <T extends HttpRules> T recording(T real, Class<T> type, String prefix) {
        InvocationHandler handler = (self, method, args) -> {
            String name = method.getName();
            if (name.equals("register") && args != null && args.length > 0) {
                register(real, prefix, args);
                return self;
            }
            if (name.equals("addFeature") && args != null && args.length == 1) {
                HttpFeature feature = args[0] instanceof Supplier<?> s ? (HttpFeature) s.get() : (HttpFeature) args[0];
                ((HttpRouting.Builder) real).addFeature(new RecordedFeature(feature, this, prefix));
                return self;
            }
            recordRoute(name, args, prefix);
            return forward(real, self, method, args);
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** register([prefix,] services or suppliers or a list of suppliers): each service wrapped to record its rules. */
    private void register(HttpRules real, String prefix, Object[] args) {
        String path = args[0] instanceof String p ? p : null;
        List<HttpService> services = new ArrayList<>();
        for (int i = path == null ? 0 : 1; i < args.length; i++) {
            collect(args[i], services);
        }
        String under = path == null ? prefix : join(prefix, path);
        HttpService[] recorded = services.stream().map(s -> new RecordedService(s, this, under)).toArray(HttpService[]::new);
        if (path == null) {
            real.register(recorded);
        } else {
            real.register(path, recorded);
        }
    }

    private static void collect(Object arg, List<HttpService> into) {
        if (arg instanceof HttpService s) {
            into.add(s);
        } else if (arg instanceof HttpService[] array) {
            into.addAll(List.of(array));
        } else if (arg instanceof Supplier<?> supplier) {
            into.add((HttpService) supplier.get());
        } else if (arg instanceof Supplier<?>[] suppliers) {
            for (Supplier<?> s : suppliers) {
                into.add((HttpService) s.get());
            }
        } else if (arg instanceof List<?> list) {
            list.forEach(o -> collect(o, into));
        }
    }

    /** get/post/.../route calls; one whose method or path cannot be read is recorded as UNKNOWN, never skipped. */
    private void recordRoute(String name, Object[] args, String prefix) {
        if (args == null) {
            return;
        }
        if (METHODS.contains(name)) {
            record(name, prefix, args.length == 2 && args[0] instanceof String path ? path : "/*");   // get(handlers): every path
        } else if (name.equals("route")) {
            if (args.length == 3 && args[0] instanceof io.helidon.http.Method m && args[1] instanceof String path) {
                record(m.text(), prefix, path);
            } else {
                // A path matcher, a method predicate or a bare HttpRoute keeps its details private: named so the
                // document check shows it.
                record("UNKNOWN", prefix, "(route " + java.util.Arrays.toString(args) + ")");
            }
        }
    }

    void record(String method, String prefix, String path) {
        routes.add(new Route(method.toUpperCase(Locale.ROOT), join(prefix, path)));
    }

    /** "/v1" + "/chat" = "/v1/chat"; a service's "/" is the prefix itself. */
    static String join(String prefix, String path) {
        String p = path.isEmpty() || path.equals("/") ? "" : (path.startsWith("/") ? path : "/" + path);
        String joined = (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix) + p;
        return joined.isEmpty() ? "/" : joined;
    }

    private static Object forward(Object real, Object self, Method method, Object[] args) throws Throwable {
        try {
            Object result = method.invoke(real, args);
            return result == real ? self : result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A service whose rules are recorded under its prefix as Helidon sets them up. */
    private record RecordedService(HttpService service, RouteTable table, String prefix) implements HttpService {
        @Override
        public void routing(HttpRules rules) {
            service.routing(table.recording(rules, HttpRules.class, prefix));
        }

        @Override
        public void beforeStart() {
            service.beforeStart();
        }

        @Override
        public void afterStart(WebServer server) {
            service.afterStart(server);
        }

        @Override
        public void afterStop() {
            service.afterStop();
        }
    }

    /** A feature (Helidon's observers add theirs) whose routes are recorded as it sets them up. */
    private record RecordedFeature(HttpFeature feature, RouteTable table, String prefix) implements HttpFeature {
        @Override
        public void setup(HttpRouting.Builder routing) {
            feature.setup(table.recording(routing, HttpRouting.Builder.class, prefix));
        }

        @Override
        public String socket() {
            return feature.socket();
        }

        @Override
        public boolean socketRequired() {
            return feature.socketRequired();
        }

        @Override
        public void beforeStart() {
            feature.beforeStart();
        }

        @Override
        public void afterStart(WebServer server) {
            feature.afterStart(server);
        }

        @Override
        public void afterStop() {
            feature.afterStop();
        }
    }
}
