package io.sluice.loadtest.upstream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * An OpenAI-compatible upstream for load tests and benchmarks: the JDK's HTTP server with one
 * virtual thread per exchange, so thousands of slow answers cost parked virtual threads rather than
 * platform threads. {@code make upstream} starts it; {@link SimOptions#usage()} lists its flags.
 */
public final class UpstreamSimulator implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final SimStats stats = new SimStats();
    private final SimOptions options;

    private UpstreamSimulator(SimOptions options) throws IOException {
        this.options = options;
        // Read once by the JDK server's static config, so they must be set before the first server starts.
        // Without TCP_NODELAY each flushed SSE chunk can wait on Nagle + delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // The JDK closes keep-alive connections beyond 200 idle ones; a gateway's pool may keep more.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 8192);
        server.setExecutor(executor);
        server.createContext("/", new Router(options, stats));
        server.start();
    }

    /** Starts a simulator; port 0 picks a free port (see {@link #port()}). */
    public static UpstreamSimulator start(SimOptions options) throws IOException {
        return new UpstreamSimulator(options);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL an OpenAI client is given, e.g. {@code http://127.0.0.1:9090/v1}. */
    public String baseUrl() {
        return "http://" + options.host() + ":" + port() + "/v1";
    }

    public SimStats stats() {
        return stats;
    }

    /** Stops accepting, then interrupts whatever is still sleeping (slow or stalled answers). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(SimOptions.usage());
            return;
        }
        SimOptions options;
        try {
            options = SimOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("upstream simulator: " + e.getMessage());
            System.err.print(SimOptions.usage());
            System.exit(2);
            return;
        }
        UpstreamSimulator sim = start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "simulator-shutdown"));
        System.out.println("upstream simulator on " + sim.baseUrl() + " (POST /v1/chat/completions, GET /v1/models, "
                + "GET /sim/stats): " + options);
        System.out.flush();
        // The server's dispatcher thread keeps the JVM alive until SIGINT/SIGTERM.
    }
}
