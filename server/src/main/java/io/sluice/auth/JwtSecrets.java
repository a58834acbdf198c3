package io.sluice.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import io.sluice.config.ConfigReader.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that signs login tokens. A configured {@code auth.jwt-secret} wins (AuthSettings has
 * already refused a short or published one). Without one — a development start — a random 384-bit
 * secret is generated on the first start and kept in {@code auth.jwt-secret-file} (owner-only: file
 * 0600, its directory 0700), so tokens survive a restart; it is never printed or logged.
 */
public final class JwtSecrets {
    private static final Logger LOG = LoggerFactory.getLogger(JwtSecrets.class);
    private static final int GENERATED_BYTES = 48;
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

    private JwtSecrets() {
    }

    /** The signing secret for these settings: configured, or read from (first created in) the secret file. */
    public static String resolve(AuthSettings s) {
        if (!s.jwtSecret().isEmpty()) {
            return s.jwtSecret();
        }
        Path file = Path.of(s.jwtSecretFile()).toAbsolutePath();
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            String secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            String problem = AuthSettings.weakness(secret);
            if (problem != null) {
                throw new InvalidConfigException("auth.jwt-secret-file", file.toString(),
                        "its secret is " + problem + "; delete the file to have a new one generated");
            }
            restrict(file);
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the JWT secret file " + file
                                           + " (auth.jwt-secret-file); set AUTH_JWT_dash_SECRET instead", e);
        }
    }

    private static void create(Path file) throws IOException {
        Path dir = file.getParent();
        boolean posix = Files.getFileStore(existingAncestor(dir)).supportsFileAttributeView(PosixFileAttributeView.class);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                if (posix) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));   // only the last one private
                } else {
                    Files.createDirectory(dir);
                }
            } catch (FileAlreadyExistsException e) {
                // made by a concurrent start
            }
        }
        byte[] random = new byte[GENERATED_BYTES];
        new SecureRandom().nextBytes(random);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        // Written to a private temporary file and moved into place: another instance starting on the
        // same directory at the same moment either wins (and both read its file) or finds ours whole.
        Path tmp = posix ? Files.createTempFile(dir, ".jwt-secret", ".tmp", PosixFilePermissions.asFileAttribute(FILE))
                         : Files.createTempFile(dir, ".jwt-secret", ".tmp");
        try {
            Files.writeString(tmp, secret, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            Files.createLink(file, tmp);   // atomic, and fails if the file appeared meanwhile
            LOG.info("generated a JWT signing secret in {} (owner-only); set auth.jwt-secret to use your own", file);
        } catch (FileAlreadyExistsException e) {
            // another start made it first: use theirs
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Keeps the file and its directory owner-only, also when someone loosened them. */
    private static void restrict(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        if (!Files.getPosixFilePermissions(file).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
            LOG.warn("{} was readable by others; made it owner-only (0600)", file);
        }
        Path dir = file.getParent();
        Set<PosixFilePermission> dirPerms = Files.getPosixFilePermissions(dir);
        if (dirPerms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
            LOG.warn("{} (holding the JWT secret) is accessible by others; consider chmod 700", dir);
        }
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of(".").toAbsolutePath() : p;
    }
}
