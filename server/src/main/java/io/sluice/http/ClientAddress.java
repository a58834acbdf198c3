package io.sluice.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

/**
 * The caller's IP as text, for the access log, the per-IP rate limit, the concurrency cap and the
 * login throttle. Behind a load balancer every connection comes from the balancer, so when the peer
 * is one of the configured trusted proxies ({@code security.trusted-proxies}, addresses or CIDR
 * ranges), the client is read from {@code X-Forwarded-For}: walking from the right (the entry the
 * trusted proxy itself appended), the first address that is not a trusted proxy. Entries to its left
 * were written by the client and are never believed. Without trusted proxies the header is ignored.
 *
 * <p>The peer address is formatted once per connection: Helidon builds a new peer object and formats
 * the address on every {@code remotePeer().host()} call, yet the peer belongs to the connection and
 * each connection is served by its own thread. So the last answer is kept per thread together with
 * the connection's socket id, compared by identity (the connection's own String object).
 */
public final class ClientAddress {
    /** No trusted proxies: the TCP peer is the client. */
    public static final ClientAddress PEER = new ClientAddress(List.of());
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[2]);

    private final List<Cidr> trusted;

    /** @throws IllegalArgumentException naming an entry that is not an IP address or CIDR range */
    public ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
    }

    public String of(ServerRequest req) {
        String peer = peer(req);
        if (trusted.isEmpty() || !isTrusted(peer) || !req.headers().contains(HeaderNames.X_FORWARDED_FOR)) {
            return peer;
        }
        String client = peer;
        List<String> lines = req.headers().values(HeaderNames.X_FORWARDED_FOR);
        for (int l = lines.size() - 1; l >= 0; l--) {
            String[] hops = lines.get(l).split(",");
            for (int h = hops.length - 1; h >= 0; h--) {
                String hop = hops[h].trim();
                if (literal(hop) == null) {
                    return client;   // garbage: believe nothing further left
                }
                client = hop;
                if (!isTrusted(hop)) {
                    return hop;
                }
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        byte[] ip = literal(address);
        if (ip == null) {
            return false;
        }
        for (Cidr c : trusted) {
            if (c.contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static String peer(ServerRequest req) {
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

    /** The bytes of an IPv4 or IPv6 literal, or null; never a DNS lookup (only digits, dots, hex and colons get here). */
    static byte[] literal(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        int pct = t.indexOf('%');   // an IPv6 scope id
        if (pct >= 0) {
            t = t.substring(0, pct);
        }
        if (t.isEmpty() || t.length() > 45) {
            return null;
        }
        boolean v6 = t.indexOf(':') >= 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return null;
            }
        }
        if (!v6 && !dottedQuad(t)) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();   // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean dottedQuad(String t) {
        String[] parts = t.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An address range: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address. */
    private record Cidr(byte[] network, int prefix) {
        static Cidr parse(String entry) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            byte[] net = literal(slash < 0 ? e : e.substring(0, slash));
            if (net == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
            }
            int prefix = net.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException x) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > net.length * 8) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0-" + net.length * 8);
                }
            }
            return new Cidr(net, prefix);
        }

        boolean contains(byte[] ip) {
            if (ip.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (ip[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (ip[full] & mask) == (network[full] & mask);
        }
    }
}
