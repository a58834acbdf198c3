package io.sluice.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import io.sluice.http.ApiException;
import io.sluice.http.ErrorCode;

/** Argon2id hashing (password4j) and the password policy: a minimum length and not a common password. */
public final class Passwords {
    static final int MAX_LENGTH = 256;   // bounds the work a hostile request can ask for
    /**
     * OWASP's second Argon2id option: 19 MiB, 2 iterations, 1 lane. Made at the first hash, not at
     * start: password4j allocates the 19 MiB block memory with the function and keeps it, which an
     * instance that never sees a login (auth off, API keys only) should not hold (idle RSS).
     */
    private static final class Argon2Holder {
        static final Argon2Function ARGON2 = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.ID);
    }

    /** Made at first use, not at class load: an Argon2 hash costs start-up ~0.5 s of CPU. */
    private static final class Dummy {
        static final String HASH = Password.hash("timing-equaliser").addRandomSalt(16).with(Argon2Holder.ARGON2).getResult();
    }

    private final int minLength;
    private final Set<String> common;

    public Passwords(int minLength) {
        this.minLength = minLength;
        this.common = loadCommon();
    }

    public String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(Argon2Holder.ARGON2).getResult();
    }

    /** Checks a password; with no stored hash a dummy one is checked so unknown users cost the same time. */
    public boolean verify(String password, String storedHash) {
        if (password == null || password.length() > MAX_LENGTH) {
            return false;
        }
        boolean ok = Password.check(password, storedHash == null ? Dummy.HASH : storedHash).with(Argon2Holder.ARGON2);
        return ok && storedHash != null;
    }

    /** 400 with the rule broken; null means the password is acceptable. */
    public void requireAcceptable(String password, String username) {
        String problem = problem(password, username);
        if (problem != null) {
            throw ApiException.badRequest(ErrorCode.WEAK_PASSWORD, problem);
        }
    }

    public String problem(String password, String username) {
        if (password == null || password.length() < minLength) {
            return "password must have at least " + minLength + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "password must have at most " + MAX_LENGTH + " characters";
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (common.contains(lower) || lower.equals(username)) {
            return "password is too common; choose another";
        }
        return null;
    }

    private static Set<String> loadCommon() {
        Set<String> set = new HashSet<>();
        try (InputStream in = Passwords.class.getResourceAsStream("/auth/common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("auth/common-passwords.txt missing from the classpath");
            }
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim).filter(s -> !s.isEmpty()).forEach(s -> set.add(s.toLowerCase(Locale.ROOT)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return set;
    }
}
