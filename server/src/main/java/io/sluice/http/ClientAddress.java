package io.sluice.http;

import io.helidon.webserver.http.ServerRequest;

/**
 * The caller's IP as text, formatted once per connection. Helidon builds a new peer object and
 * formats the address on every {@code remotePeer().host()} call, and a request asks for it in the
 * access log, the rate limits and the concurrency cap; yet the remote peer belongs to the
 * connection, and each connection is served by its own thread. So the last answer is kept per
 * thread together with the connection's socket id, compared by identity (the connection's own
 * String object): another connection on the same thread would miss and format its own.
 */
public final class ClientAddress {
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

    private ClientAddress() {
    }

    public static String of(ServerRequest req) {
        String socket = req.socketId();
        Object[] last = LAST.get();
        if (socket != null && last[0] == socket) {
            return (String) last[1];
        }
        String host = req.remotePeer().host();
        last[0] = socket;
        last[1] = host;
        return host;
    }
}
