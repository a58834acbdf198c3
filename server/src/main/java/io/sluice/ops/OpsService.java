package io.sluice.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.sluice.auth.Principal;
import io.sluice.http.ApiException;
import io.sluice.http.ClientAddress;
import io.sluice.http.ErrorCode;

/**
 * The live operations page, {@code GET /ops}: plain HTML, CSS and a script served from the jar,
 * which polls {@code /metrics} and {@code /health} every second and draws whatever sections they
 * hold. Open without login from the machine itself (loopback, not forwarded by a proxy); from
 * anywhere else only for an admin (401 without credentials, 403 for a non-admin).
 */
public final class OpsService implements HttpService {
    /** The page's own policy: its script, style and fetches come from this server only; nothing inline. */
    static final Header CSP = HeaderValues.createCached("Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    private static final Header HTML = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
    private static final Header JS = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/javascript; charset=UTF-8");
    private static final Header CSS = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/css; charset=UTF-8");

    private final ClientAddress clients;
    private final byte[] page = resource("ops.html");
    private final byte[] script = resource("ops.js");
    private final byte[] style = resource("ops.css");

    public OpsService(ClientAddress clients) {
        this.clients = clients;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> send(req, res, HTML, page))
             .get("/ops.js", (req, res) -> send(req, res, JS, script))
             .get("/ops.css", (req, res) -> send(req, res, CSS, style));
    }

    private void send(ServerRequest req, ServerResponse res, Header type, byte[] body) {
        allow(req);
        res.header(type);
        res.header(CSP);
        res.send(body);
    }

    /** Loopback callers pass; others need an admin principal, which the auth filter put in the context. */
    private void allow(ServerRequest req) {
        if (local(req)) {
            return;
        }
        Optional<Principal> caller = req.context().get(Principal.class);
        if (caller.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED,
                    "the operations page needs an admin's bearer token when not opened from the server's own machine");
        }
        if (!caller.get().admin()) {
            throw new ApiException(ErrorCode.ADMIN_REQUIRED, "the operations page is for admins only");
        }
    }

    /**
     * The client (after trusted proxies) is a loopback address. A request from a loopback peer that
     * carries forwarding headers came through a local reverse proxy that is not listed as trusted:
     * its real client is unknown, so it is not treated as local.
     */
    private boolean local(ServerRequest req) {
        String client = clients.of(req);
        if (!loopback(client)) {
            return false;
        }
        boolean forwarded = req.headers().contains(HeaderNames.X_FORWARDED_FOR) || req.headers().contains(HeaderNames.FORWARDED);
        return !forwarded || !client.equals(req.remotePeer().host());   // differs: resolved through a trusted proxy
    }

    static boolean loopback(String ip) {
        String a = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        return a.startsWith("127.") || a.equals("::1") || a.equals("0:0:0:0:0:0:0:1") || a.startsWith("::ffff:127.");
    }

    private static byte[] resource(String name) {
        try (InputStream in = OpsService.class.getResourceAsStream("/ops/" + name)) {
            if (in == null) {
                throw new IllegalStateException("/ops/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
