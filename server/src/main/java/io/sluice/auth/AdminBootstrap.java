package io.sluice.auth;

import java.security.SecureRandom;

import io.sluice.config.ConfigReader.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a first start (no users at all) creates the admin. Its password comes from
 * {@code auth.admin.password} (AUTH_ADMIN_PASSWORD) or is generated and printed once to the
 * console — System.out, never a logger, so it does not land in the log files.
 */
public final class AdminBootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(AdminBootstrap.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    private AdminBootstrap() {
    }

    public static void ensureAdmin(UserStore users, Passwords passwords, AuthSettings s) {
        if (users.any()) {
            return;
        }
        boolean generated = s.adminPassword().isEmpty();
        String password = generated ? generate() : s.adminPassword();
        String problem = passwords.problem(password, s.adminUsername());
        if (problem != null) {
            throw new InvalidConfigException("auth.admin.password", "***", problem);
        }
        if (users.create(s.adminUsername(), passwords.hash(password), Principal.Role.ADMIN).isEmpty()) {
            return;   // another instance created it first
        }
        LOG.info("created the first user '{}' (admin); password {}", s.adminUsername(),
                 generated ? "generated and printed to the console once" : "from auth.admin.password");
        if (generated) {
            System.out.println("""

                    ==================================================================
                     Sluice created the first admin user. This is shown only once:
                       username: %s
                       password: %s
                     Log in: POST /api/auth/login {"username": ..., "password": ...}
                    ==================================================================
                    """.formatted(s.adminUsername(), password));
            System.out.flush();
        }
    }

    private static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
