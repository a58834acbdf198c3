package io.sluice.deploy;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders a kustomization two ways: with {@code kubectl kustomize} when a kubectl is on the PATH, and
 * always with {@link #compose}, a small re-implementation of the kustomize features deploy/k8s uses
 * (resources, namespace, labels without selectors, images, strategic-merge patches by kind and name,
 * lists of named items merged by name). The tests check both, so the stand-in is held to kubectl's answer.
 */
final class Kustomize {
    private Kustomize() {
    }

    /** The path of a kubectl on the PATH, if any. */
    static Optional<Path> kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** {@code kubectl kustomize dir}, bounded to a minute. */
    static List<Map<String, Object>> kubectl(Path kubectl, Path dir) throws Exception {
        Process p = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished within 60 s");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ":\n" + text);
        return DeployFiles.yamlDocuments(text, "kubectl kustomize " + dir);
    }

    /** The resources of the kustomization in {@code dir}, composed as kustomize would for the features used here. */
    static List<Map<String, Object>> compose(Path dir) {
        Map<String, Object> k = DeployFiles.yaml(dir.resolve("kustomization.yaml"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : DeployFiles.<List<Object>>required(k, "resources", dir + "/kustomization.yaml")) {
            Path p = dir.resolve(r.toString()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(compose(p));
            } else {
                out.addAll(DeployFiles.yamlDocuments(p));
            }
        }
        List<Object> patches = DeployFiles.at(k, "patches");
        for (Object entry : patches == null ? List.of() : patches) {
            Path p = dir.resolve(String.valueOf(DeployFiles.<Object>at(entry, "path"))).normalize();
            for (Map<String, Object> patch : DeployFiles.yamlDocuments(p)) {
                Map<String, Object> target = find(out, String.valueOf(patch.get("kind")), DeployFiles.at(patch, "metadata.name"))
                        .orElseThrow(() -> new AssertionError(p + " patches a resource the kustomization does not have"));
                merge(target, patch);
            }
        }
        List<Map<String, Object>> labels = DeployFiles.at(k, "labels");
        for (Map<String, Object> set : labels == null ? List.<Map<String, Object>>of() : labels) {
            Map<String, Object> pairs = DeployFiles.required(set, "pairs", "labels");
            out.forEach(res -> child(child(res, "metadata"), "labels").putAll(pairs));
        }
        String namespace = DeployFiles.at(k, "namespace");
        if (namespace != null) {
            out.forEach(res -> child(res, "metadata").put("namespace", namespace));
        }
        List<Map<String, Object>> images = DeployFiles.at(k, "images");
        for (Map<String, Object> image : images == null ? List.<Map<String, Object>>of() : images) {
            for (Map<String, Object> res : out) {
                List<Map<String, Object>> containers = DeployFiles.at(res, "spec.template.spec.containers");
                for (Map<String, Object> c : containers == null ? List.<Map<String, Object>>of() : containers) {
                    String current = String.valueOf(c.get("image"));
                    if (current.equals(image.get("name")) || current.startsWith(image.get("name") + ":")) {
                        Object name = image.getOrDefault("newName", image.get("name"));
                        Object tag = image.getOrDefault("newTag", current.contains(":") ? current.split(":", 2)[1] : "latest");
                        c.put("image", name + ":" + tag);
                    }
                }
            }
        }
        return out;
    }

    static Optional<Map<String, Object>> find(List<Map<String, Object>> resources, String kind, String name) {
        return resources.stream()
                .filter(r -> kind.equals(r.get("kind")) && name.equals(DeployFiles.at(r, "metadata.name")))
                .findFirst();
    }

    /** Strategic merge, the part used here: maps merge, lists of maps with a name merge by name, the rest replaces. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            Object mine = target.get(e.getKey());
            if (mine instanceof Map && e.getValue() instanceof Map) {
                merge((Map<String, Object>) mine, (Map<String, Object>) e.getValue());
            } else if (mine instanceof List<?> list && e.getValue() instanceof List<?> theirs && named(list) && named(theirs)) {
                for (Object item : theirs) {
                    Map<String, Object> patchItem = (Map<String, Object>) item;
                    Optional<Map<String, Object>> same = ((List<Map<String, Object>>) list).stream()
                            .filter(m -> m.get("name").equals(patchItem.get("name"))).findFirst();
                    if (same.isPresent()) {
                        merge(same.get(), patchItem);
                    } else {
                        ((List<Object>) list).add(patchItem);
                    }
                }
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }

    private static boolean named(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") != null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        Object c = parent.get(key);
        if (c == null) {
            c = new LinkedHashMap<String, Object>();
            parent.put(key, c);
        } else if (!(c instanceof Map)) {
            fail(key + " is not a mapping");
        }
        return (Map<String, Object>) c;
    }
}
