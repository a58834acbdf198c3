package io.sluice.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sluice.config.ConfigReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reading the files under deploy/ and the defaults of config.yaml for the structural tests (no container
 * runtime here): YAML through SnakeYAML (merge keys resolved, as Compose does), PgBouncer's ini, and
 * a dotted-path walk through the parsed maps.
 */
final class DeployFiles {
    static final Path DEPLOY = Path.of("deploy");
    /** Helidon's readiness endpoint (HealthObserver's default path + /ready), what balancers and kubelets ask. */
    static final String READY_PATH = "/observe/health/ready";

    private DeployFiles() {
    }

    static String read(Path file) {
        assertTrue(Files.isRegularFile(file), file + " is missing");
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML file (a multi-document Kubernetes file has several). */
    static List<Map<String, Object>> yamlDocuments(Path file) {
        return yamlDocuments(read(file), file.toString());
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text, String name) {
        List<Map<String, Object>> docs = new ArrayList<>();
        try {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map)) {
                    fail(name + ": a document is not a mapping");
                }
                docs.add((Map<String, Object>) doc);
            }
        } catch (RuntimeException e) {
            fail(name + " does not parse: " + e.getMessage());
        }
        return docs;
    }

    static Map<String, Object> yaml(Path file) {
        List<Map<String, Object>> docs = yamlDocuments(file);
        assertTrue(docs.size() == 1, file + ": expected one YAML document, found " + docs.size());
        return docs.getFirst();
    }

    /** The value at a dotted path ("spec.template.spec"), or null. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, String path) {
        Object node = root;
        for (String key : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return (T) node;
    }

    static <T> T required(Object root, String path, String where) {
        T value = at(root, path);
        assertNotNull(value, where + ": " + path + " is missing");
        return value;
    }

    /** The keys of an ini file's sections, flattened to "section.key" (PgBouncer's format). */
    static Map<String, String> ini(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        String section = "";
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
            } else if (line.contains("=")) {
                int eq = line.indexOf('=');
                values.put(section + "." + line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    // --- config.yaml: the defaults the deploy files must agree with -----------------------------------

    static Map<String, Object> config() {
        return yaml(Path.of("config.yaml"));
    }

    static int serverPort() {
        return ((Number) required(config(), "server.port", "config.yaml")).intValue();
    }

    static Duration drainTimeout() {
        return ConfigReader.parseDuration(required(config(), "admission.drain-timeout", "config.yaml").toString());
    }

    /**
     * What SIGTERM may take at most, one after the other: the drain of admitted requests, Helidon's grace
     * period for connection threads, then the usage writer's last batches.
     */
    static Duration shutdownTime() {
        Duration helidonGrace = Duration.parse(required(config(), "server.shutdown-grace-period", "config.yaml").toString());
        Duration usageDrain = ConfigReader.parseDuration(required(config(), "usage.drain-timeout", "config.yaml").toString());
        return drainTimeout().plus(helidonGrace).plus(usageDrain);
    }
}
