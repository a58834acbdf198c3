package io.sluice.loadtest.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The per-IP limits see the client address HAProxy puts in X-Forwarded-For, and ignore the header
 * from anyone else. Measured with the login throttle (auth.login-attempts per account and address,
 * 10): clients on different loopback addresses (127.0.0.3, .4, .5) log in with a wrong password.
 */
final class ClientAddressCheck implements ClusterChecks.Check {
    private static final int ATTEMPTS = 10;

    @Override
    public ClusterChecks.Row run(Cluster c) throws Exception {
        String user = "nobody" + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffff);
        String body = "{\"username\":\"" + user + "\",\"password\":\"wrong-password-123\"}";
        int lb = Integer.parseInt(c.env.get("LB_PORT"));
        int app = c.apps.getFirst();
        List<String> saw = new ArrayList<>();
        boolean pass = true;
        int first401 = 0;
        for (int i = 0; i < ATTEMPTS; i++) {
            if (RawHttp.post("127.0.0.3", lb, "/api/auth/login", body, null) == 401) {
                first401++;
            }
        }
        pass &= first401 == ATTEMPTS;
        saw.add("127.0.0.3 via HAProxy x" + ATTEMPTS + ": " + first401 + "x401");
        pass &= expect(saw, "127.0.0.3 via HAProxy, once more", RawHttp.post("127.0.0.3", lb, "/api/auth/login", body, null), 429);
        pass &= expect(saw, "127.0.0.4 via HAProxy", RawHttp.post("127.0.0.4", lb, "/api/auth/login", body, null), 401);
        pass &= expect(saw, "127.0.0.3 via HAProxy claiming XFF 127.0.0.9",
                       RawHttp.post("127.0.0.3", lb, "/api/auth/login", body, "127.0.0.9"), 429);
        pass &= expect(saw, "127.0.0.5 straight to instance 1 claiming XFF 127.0.0.3",
                       RawHttp.post("127.0.0.5", app, "/api/auth/login", body, "127.0.0.3"), 401);
        pass &= expect(saw, "127.0.0.3 straight to instance 1 claiming XFF 127.0.0.6",
                       RawHttp.post("127.0.0.3", app, "/api/auth/login", body, "127.0.0.6"), 429);
        return new ClusterChecks.Row("client IP from X-Forwarded-For",
                "wrong-password logins (throttle: 10 per account and address) from 127.0.0.3/.4/.5, via HAProxy "
                        + "(trusted, source 127.0.0.2) and straight to an instance (untrusted peer), with and without a forged X-Forwarded-For",
                String.join("; ", saw), pass);
    }

    private static boolean expect(List<String> saw, String what, int status, int expected) {
        saw.add(what + ": " + status + (status == expected ? "" : " (expected " + expected + ")"));
        return status == expected;
    }
}
