package io.sluice.auth;

import io.helidon.webserver.http.ServerResponse;
import io.sluice.ratelimit.Decision;
import io.sluice.ratelimit.Limit;
import io.sluice.ratelimit.RateLimiter;

/**
 * Login attempts, limited so that nobody can lock another person out. Two buckets refuse (429):
 * one per client address (password spraying across accounts) and one per account <em>and</em>
 * address (guessing one password) — so ten wrong tries from one address never refuse the right
 * password from another. Per account alone there is only a far higher cap, and past it an attempt
 * is slowed by {@code auth.login-account-delay}, never refused: a distributed guesser is slowed
 * down, the owner still gets in. Buckets are taken before the password is checked, so a flood
 * costs Redis calls, not Argon2 hashes.
 */
final class LoginThrottle {
    private static final int MAX_KEY_USERNAME = 64;

    private final RateLimiter limiter;
    private final Limit perAccountAddress;
    private final Limit perAddress;
    private final Limit perAccount;
    private final long delayMs;

    LoginThrottle(RateLimiter limiter, AuthSettings s) {
        this.limiter = limiter;
        this.perAccountAddress = new Limit(s.loginAttempts(), s.loginWindow());
        this.perAddress = new Limit(s.loginAttemptsPerIp(), s.loginWindow());
        this.perAccount = new Limit(s.loginAccountAttempts(), s.loginWindow());
        this.delayMs = s.loginAccountDelay().toMillis();
    }

    /** Charges one attempt; throws 429 over an address limit, sleeps (bounded) over the account's cap. */
    void attempt(String address, String username, ServerResponse res) {
        String account = username.length() > MAX_KEY_USERNAME ? username.substring(0, MAX_KEY_USERNAME) : username;
        refuseOver("login-ip:" + address, perAddress, "login (per client address)", res);
        refuseOver("login-user-ip:" + account + "|" + address, perAccountAddress, "login (per account and address)", res);
        if (!limiter.take("login-user:" + account, perAccount).allowed() && delayMs > 0) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refuseOver(String key, Limit limit, String what, ServerResponse res) {
        Decision d = limiter.take(key, limit);
        if (!d.allowed()) {
            d.writeHeaders(res);
            throw d.rejection(what);
        }
    }
}
