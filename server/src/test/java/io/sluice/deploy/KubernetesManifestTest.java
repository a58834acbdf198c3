package io.sluice.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.sluice.observe.LivenessFilter;
import org.junit.jupiter.api.Test;

import static io.sluice.deploy.DeployFiles.at;
import static io.sluice.deploy.DeployFiles.required;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s rendered (kubectl kustomize when a kubectl is on the PATH, and the {@link Kustomize} stand-in
 * always), base and every overlay: probes on the real paths and port, a grace period longer than the
 * shutdown, secrets by reference, and the pool arithmetic: HPA maxReplicas = database.replicas, the
 * Deployment's replicas = HPA minReplicas, database.server-connections = PgBouncer's default_pool_size.
 */
class KubernetesManifestTest {
    private static final Path K8S = DeployFiles.DEPLOY.resolve("k8s");

    private record Rendering(String name, List<Map<String, Object>> resources) {
        Map<String, Object> get(String kind, String resourceName) {
            return Kustomize.find(resources, kind, resourceName)
                    .orElseThrow(() -> new AssertionError(name + ": no " + kind + " " + resourceName));
        }
    }

    private static List<Path> kustomizations() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).map(Path::getParent).sorted().toList();
        }
    }

    private static List<Rendering> renderings() throws Exception {
        List<Rendering> out = new ArrayList<>();
        Optional<Path> kubectl = Kustomize.kubectl();
        for (Path dir : kustomizations()) {
            out.add(new Rendering(dir + " (composed)", Kustomize.compose(dir)));
            if (kubectl.isPresent()) {
                out.add(new Rendering(dir + " (kubectl kustomize)", Kustomize.kubectl(kubectl.get(), dir)));
            }
        }
        assertTrue(out.size() >= 2, "a base and an overlay: " + out.stream().map(Rendering::name).toList());
        return out;
    }

    @Test
    void everyListedFileExistsAndParses() throws Exception {
        for (Path dir : kustomizations()) {
            Map<String, Object> k = DeployFiles.yaml(dir.resolve("kustomization.yaml"));
            List<Object> listed = new ArrayList<>(DeployFiles.<List<Object>>required(k, "resources", dir.toString()));
            List<Map<String, Object>> patches = at(k, "patches");
            (patches == null ? List.<Map<String, Object>>of() : patches).forEach(p -> listed.add(p.get("path")));
            for (Object entry : listed) {
                Path p = dir.resolve(String.valueOf(entry)).normalize();
                if (Files.isDirectory(p)) {
                    assertTrue(Files.isRegularFile(p.resolve("kustomization.yaml")), p + " has a kustomization.yaml");
                } else {
                    for (Map<String, Object> doc : DeployFiles.yamlDocuments(p)) {
                        assertTrue(doc.get("apiVersion") != null && doc.get("kind") != null, p + ": apiVersion and kind");
                    }
                }
            }
        }
    }

    @Test
    void probesAskTheRealPathsOnTheConfiguredPort() throws Exception {
        for (Rendering r : renderings()) {
            Map<String, Object> c = container(r);
            List<Map<String, Object>> ports = required(c, "ports", r.name);
            Map<String, Object> http = ports.stream().filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
            assertEquals(DeployFiles.serverPort(), ((Number) http.get("containerPort")).intValue(), r.name + ": containerPort");
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                String path = required(c, probe + ".httpGet.path", r.name);
                Object port = required(c, probe + ".httpGet.port", r.name);
                assertEquals(probe.equals("readinessProbe") ? DeployFiles.READY_PATH : LivenessFilter.PATH, path, r.name + " " + probe);
                assertTrue(port.equals("http") || port.equals(DeployFiles.serverPort()), r.name + " " + probe + " port " + port);
            }
            Map<String, Object> service = r.get("Service", "sluice");
            List<Map<String, Object>> servicePorts = required(service, "spec.ports", r.name);
            assertEquals("http", servicePorts.getFirst().get("targetPort"), r.name + ": the Service targets the named port");
        }
    }

    @Test
    void terminationGraceOutlastsPreStopAndShutdown() throws Exception {
        for (Rendering r : renderings()) {
            Map<String, Object> pod = required(r.get("Deployment", "sluice"), "spec.template.spec", r.name);
            long grace = ((Number) required(pod, "terminationGracePeriodSeconds", r.name)).longValue();
            List<?> preStop = required(container(r), "lifecycle.preStop.exec.command", r.name);
            long sleep = preStop.getFirst().equals("sleep") ? Long.parseLong(String.valueOf(preStop.get(1))) : 0;
            long needed = sleep + DeployFiles.shutdownTime().toSeconds();
            assertTrue(grace > needed, r.name + ": terminationGracePeriodSeconds " + grace + " must exceed preStop + shutdown " + needed);
            assertEquals(Boolean.TRUE, at(pod, "securityContext.runAsNonRoot"), r.name + ": runAsNonRoot");
            assertTrue(at(container(r), "resources.limits.memory") != null, r.name + ": a memory limit");
        }
    }

    @Test
    void secretsComeByReference() throws Exception {
        for (Rendering r : renderings()) {
            List<Map<String, Object>> env = required(container(r), "env", r.name);
            for (String name : List.of("DATABASE_PASSWORD", "AUTH_JWT_dash_SECRET", "LLM_PROVIDERS_OPENAI_API_dash_KEY")) {
                Map<String, Object> var = env.stream().filter(e -> name.equals(e.get("name"))).findFirst()
                        .orElseThrow(() -> new AssertionError(r.name + ": no " + name));
                assertTrue(at(var, "valueFrom.secretKeyRef.name") != null && var.get("value") == null, r.name + ": " + name + " from a Secret");
            }
        }
    }

    @Test
    void poolArithmeticAgreesWithReplicasAndPgbouncer() throws Exception {
        for (Rendering r : renderings()) {
            Map<String, Object> override = override(r);
            int dbReplicas = ((Number) required(override, "database.replicas", r.name + " override")).intValue();
            int serverConnections = ((Number) required(override, "database.server-connections", r.name + " override")).intValue();
            Map<String, Object> hpa = r.get("HorizontalPodAutoscaler", "sluice");
            int min = ((Number) required(hpa, "spec.minReplicas", r.name)).intValue();
            int max = ((Number) required(hpa, "spec.maxReplicas", r.name)).intValue();
            int replicas = ((Number) required(r.get("Deployment", "sluice"), "spec.replicas", r.name)).intValue();
            assertEquals(max, dbReplicas, r.name + ": database.replicas = HPA maxReplicas (every pod's pool sized for the largest scale)");
            assertEquals(min, replicas, r.name + ": Deployment replicas = HPA minReplicas");
            assertTrue(min <= max, r.name + ": minReplicas <= maxReplicas");
            assertTrue(serverConnections / dbReplicas >= 1, r.name + ": at least one connection per pod");
            Map<String, String> ini = DeployFiles.ini(data(r, "sluice-pgbouncer", "pgbouncer.ini"));
            assertEquals("transaction", ini.get("pgbouncer.pool_mode"), r.name + ": pool_mode");
            assertEquals(String.valueOf(serverConnections), ini.get("pgbouncer.default_pool_size"),
                         r.name + ": database.server-connections = PgBouncer's default_pool_size");
            String url = required(override, "database.url", r.name);
            if (Boolean.TRUE.equals(at(override, "database.pgbouncer"))) {
                assertTrue(url.matches(".*[?&]prepareThreshold=0(&.*)?"), r.name + ": prepareThreshold=0 in " + url);
            }
            assertTrue(r.get("PodDisruptionBudget", "sluice") != null && r.get("Service", "sluice-pgbouncer") != null
                       && r.get("Deployment", "sluice-pgbouncer") != null, r.name);
        }
    }

    /** The override file of the ConfigMap, parsed, where SLUICE_CONFIG_OVERRIDE points. */
    private static Map<String, Object> override(Rendering r) {
        Map<String, Object> c = container(r);
        List<Map<String, Object>> env = required(c, "env", r.name);
        String file = env.stream().filter(e -> "SLUICE_CONFIG_OVERRIDE".equals(e.get("name"))).map(e -> String.valueOf(e.get("value")))
                .findFirst().orElseThrow(() -> new AssertionError(r.name + ": SLUICE_CONFIG_OVERRIDE"));
        Path path = Path.of(file);
        List<Map<String, Object>> mounts = required(c, "volumeMounts", r.name);
        Map<String, Object> mount = mounts.stream().filter(m -> path.getParent().equals(Path.of(String.valueOf(m.get("mountPath")))))
                .findFirst().orElseThrow(() -> new AssertionError(r.name + ": nothing mounted at " + path.getParent()));
        List<Map<String, Object>> volumes = required(r.get("Deployment", "sluice"), "spec.template.spec.volumes", r.name);
        String configMap = volumes.stream().filter(v -> mount.get("name").equals(v.get("name")))
                .map(v -> String.valueOf(DeployFiles.<Object>at(v, "configMap.name"))).findFirst().orElseThrow();
        String text = data(r, configMap, path.getFileName().toString());
        return DeployFiles.yamlDocuments(text, r.name + " " + path).getFirst();
    }

    /** A ConfigMap's file (its key has a dot, so not through the dotted-path walk). */
    private static String data(Rendering r, String configMap, String key) {
        Map<String, Object> data = required(r.get("ConfigMap", configMap), "data", r.name);
        Object text = data.get(key);
        assertTrue(text != null, r.name + ": ConfigMap " + configMap + " has no " + key);
        return text.toString();
    }

    private static Map<String, Object> container(Rendering r) {
        List<Map<String, Object>> containers = required(r.get("Deployment", "sluice"), "spec.template.spec.containers", r.name);
        return containers.stream().filter(c -> "sluice".equals(c.get("name"))).findFirst().orElseThrow();
    }
}
