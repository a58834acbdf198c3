package io.sluice.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A digest of every migration file shipped (names and bytes), so a restart can tell that the schema
 * is exactly what these migrations made and skip Flyway (about a second of class loading, scanning
 * and validation at start). Database records the digest on {@code flyway_schema_history} only after
 * Flyway migrated or validated these very files; a different file set (another release, an edited
 * migration) gives another digest, and Flyway runs as before.
 */
final class SchemaFingerprint {
    static final String PREFIX = "sluice-migrations:";

    private SchemaFingerprint() {
    }

    /** The digest of the migrations under {@code location} on the class path; null when they cannot be listed. */
    static String of(ClassLoader loader, String location) {
        URL url = loader.getResource(location);
        if (url == null) {
            return null;
        }
        try {
            TreeMap<String, byte[]> files = new TreeMap<>();
            if (url.getProtocol().equals("jar")) {
                JarURLConnection c = (JarURLConnection) url.openConnection();
                c.setUseCaches(false);
                try (JarFile jar = c.getJarFile()) {
                    for (JarEntry e : jar.stream().toList()) {
                        if (!e.isDirectory() && e.getName().startsWith(location + "/")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                files.put(e.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            } else if (url.getProtocol().equals("file")) {
                try (Stream<Path> paths = Files.walk(Path.of(url.toURI()))) {
                    for (Path p : paths.filter(Files::isRegularFile).toList()) {
                        files.put(p.getFileName().toString(), Files.readAllBytes(p));
                    }
                }
            } else {
                return null;
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            files.forEach((name, bytes) -> {
                sha.update(name.substring(name.lastIndexOf('/') + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(bytes);
                sha.update((byte) 0);
            });
            return PREFIX + HexFormat.of().formatHex(sha.digest());
        } catch (IOException | URISyntaxException | NoSuchAlgorithmException | UncheckedIOException e) {
            return null;
        }
    }
}
