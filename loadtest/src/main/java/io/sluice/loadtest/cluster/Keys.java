package io.sluice.loadtest.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Users made for the checks by the admin, each with its login token. The cluster under test runs with
 * a per-client budget of 100 requests per hour, and a user's API keys share the user's budget, so every
 * check (and every 80 tasks) gets fresh users.
 */
final class Keys {
    private final Cluster c;
    private String admin;

    Keys(Cluster c) {
        this.c = c;
    }

    private synchronized String admin() throws IOException, InterruptedException {
        if (admin == null) {
            admin = c.login();
        }
        return admin;
    }

    /** Tokens of {@code n} new users. */
    List<String> fresh(int n) throws IOException, InterruptedException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(userToken());
        }
        return tokens;
    }

    /** Registers a user (admins may) and returns a login token of it. */
    String userToken() throws IOException, InterruptedException {
        String name = "check" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        String password = "Cl-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-x9";
        String body = "{\"username\":\"" + name + "\",\"password\":\"" + password + "\"}";
        HttpResponse<String> r = c.send("POST", c.lb + "/api/auth/register", admin(), body);
        if (r.statusCode() != 201) {
            throw new IllegalStateException("register answered " + r.statusCode() + ": " + r.body());
        }
        HttpResponse<String> login = c.send("POST", c.lb + "/api/auth/login", null, body);
        if (login.statusCode() != 200) {
            throw new IllegalStateException("login answered " + login.statusCode() + ": " + login.body());
        }
        return Cluster.field(login.body(), "token");
    }
}
