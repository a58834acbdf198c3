package io.sluice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package rules of the house, read from the main sources: the root package is the top floor
 * (Main and the wiring), so no feature package refers to it; and feature packages depend on each
 * other one way only, with no cycle (a cycle, if any, is printed package by package).
 */
class ArchitectureTest {
    // An import or a fully qualified use of a Sluice type: io.sluice.<sub.packages.>Type
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.sluice\\.((?:[a-z0-9_]+\\.)*)[A-Z]");

    private final Map<String, Set<String>> dependsOn = new TreeMap<>();   // feature package -> feature packages
    private final List<String> rootReferences = new ArrayList<>();

    ArchitectureTest() throws IOException {
        Path root = Stream.of(Path.of("server/src/main/java/io/sluice"), Path.of("src/main/java/io/sluice"))
                .filter(Files::isDirectory).findFirst().orElseThrow();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = root.relativize(file).getParent();
                if (dir == null) {
                    continue;   // the root package itself: it may use everything
                }
                String feature = dir.getName(0).toString();
                dependsOn.computeIfAbsent(feature, k -> new TreeSet<>());
                for (String line : Files.readAllLines(file)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue;
                    }
                    Matcher m = REFERENCE.matcher(code);
                    while (m.find()) {
                        String target = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).indexOf('.'));
                        if (target.isEmpty()) {
                            rootReferences.add(root.relativize(file) + ": " + code);
                        } else if (!target.equals(feature)) {
                            dependsOn.get(feature).add(target);
                        }
                    }
                }
            }
        }
    }

    @Test
    void noFeaturePackageUsesTheRootPackage() {
        assertTrue(rootReferences.isEmpty(), "feature packages must not use io.sluice (the wiring):\n"
                + String.join("\n", rootReferences));
    }

    @Test
    void featurePackagesHaveNoDependencyCycle() {
        List<String> cycles = new ArrayList<>();
        for (String start : dependsOn.keySet()) {
            List<String> cycle = shortestCycleThrough(start);
            if (cycle != null && start.equals(cycle.stream().min(String::compareTo).orElseThrow())) {
                cycles.add(String.join(" -> ", cycle));   // each cycle once, from its smallest package
            }
        }
        assertTrue(cycles.isEmpty(), "package cycles:\n" + String.join("\n", cycles) + "\ngraph: " + dependsOn);
    }

    /** Breadth-first from the package's dependencies back to itself; null when there is no way back. */
    private List<String> shortestCycleThrough(String start) {
        Map<String, String> cameFrom = new TreeMap<>();
        Deque<String> queue = new ArrayDeque<>();
        for (String next : dependsOn.getOrDefault(start, Set.of())) {
            cameFrom.putIfAbsent(next, start);
            queue.add(next);
        }
        while (!queue.isEmpty()) {
            String at = queue.poll();
            if (at.equals(start)) {
                List<String> path = new ArrayList<>(List.of(start));
                for (String p = cameFrom.get(start); !p.equals(start); p = cameFrom.get(p)) {
                    path.addFirst(p);
                }
                path.addFirst(start);
                return path;
            }
            for (String next : dependsOn.getOrDefault(at, Set.of())) {
                if (cameFrom.putIfAbsent(next, at) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
