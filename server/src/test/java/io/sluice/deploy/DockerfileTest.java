package io.sluice.deploy;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.observe.LivenessFilter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/Dockerfile read as instructions (no container runtime here): a JRE runtime stage after a
 * build stage, a non-root user, the liveness probe as HEALTHCHECK on the configured port, an exec-form
 * ENTRYPOINT whose shell execs java (SIGTERM reaches the JVM), the flags of ./jvm-options.sh rather than
 * a copy of them, listening on every interface.
 */
class DockerfileTest {
    private record Instruction(String op, String args) {
    }

    private static final List<Instruction> ALL = parse(DeployFiles.read(DeployFiles.DEPLOY.resolve("Dockerfile")));

    /** The instructions of the last stage: what the image runs. */
    private static List<Instruction> runtime() {
        int last = 0;
        for (int i = 0; i < ALL.size(); i++) {
            if (ALL.get(i).op.equals("FROM")) {
                last = i;
            }
        }
        return ALL.subList(last, ALL.size());
    }

    private static String only(String op) {
        List<String> found = runtime().stream().filter(i -> i.op.equals(op)).map(Instruction::args).toList();
        assertEquals(1, found.size(), "one " + op + " in the runtime stage: " + found);
        return found.getFirst();
    }

    @Test
    void buildsWithTheWrapperThenRunsOnAJre() {
        List<String> froms = ALL.stream().filter(i -> i.op.equals("FROM")).map(Instruction::args).toList();
        assertTrue(froms.size() >= 2, "multi-stage: " + froms);
        assertTrue(froms.getLast().contains("jre"), "runtime stage on a JRE image: " + froms.getLast());
        assertTrue(ALL.stream().anyMatch(i -> i.op.equals("RUN") && i.args.contains("./mvnw")), "built with ./mvnw");
    }

    @Test
    void runsAsANonRootUser() {
        String user = only("USER").split(":")[0];
        assertFalse(user.equals("root") || user.equals("0"), "USER " + user);
        int userAt = indexOf("USER");
        assertTrue(userAt < indexOf("ENTRYPOINT"), "USER before ENTRYPOINT");
    }

    @Test
    void healthCheckAsksTheLivenessProbeOnTheConfiguredPort() {
        String check = only("HEALTHCHECK");
        URI probe = URI.create(check.replaceAll("(?s).*?(http://[^\\s\"]+).*", "$1"));
        assertEquals(LivenessFilter.PATH, probe.getPath(), check);
        assertEquals(DeployFiles.serverPort(), probe.getPort(), check);
        assertEquals(String.valueOf(DeployFiles.serverPort()), only("EXPOSE"));
    }

    @Test
    void entrypointIsExecFormAndExecsJavaWithTheSharedFlags() throws Exception {
        JsonNode entry = Json.MAPPER.readTree(only("ENTRYPOINT"));   // exec form is a JSON array, else this throws
        assertTrue(entry.isArray(), "exec form: " + entry);
        List<String> words = new ArrayList<>();
        entry.forEach(word -> words.add(word.asText()));
        String command = String.join(" ", words);
        if (entry.get(0).asText().endsWith("sh")) {
            String script = entry.get(entry.size() - 1).asText();
            assertTrue(script.startsWith("exec "), "the shell must exec java so SIGTERM reaches the JVM: " + script);
        }
        assertTrue(command.contains("jvm-options.sh"), "JVM flags from ./jvm-options.sh: " + command);
        String dockerfile = DeployFiles.read(DeployFiles.DEPLOY.resolve("Dockerfile"));
        assertFalse(dockerfile.matches("(?s).*\\s-XX:.*") || dockerfile.matches("(?s).*\\s-Xmx.*"),
                    "JVM flags are not copied into the Dockerfile");
    }

    @Test
    void listensOnEveryInterfaceWithWritableDataAndLogs() {
        String env = String.join(" ", runtime().stream().filter(i -> i.op.equals("ENV")).map(Instruction::args).toList());
        assertTrue(env.contains("SERVER_HOST=0.0.0.0"), "server.host from the environment: " + env);
        assertTrue(runtime().stream().anyMatch(i -> i.op.equals("RUN") && i.args.contains("chown") && i.args.contains("data")
                                                    && i.args.contains("logs")), "data and logs owned by the user");
        String ignore = DeployFiles.read(Path.of(".dockerignore"));
        assertTrue(ignore.contains("target/") && ignore.contains("data/"), ".dockerignore keeps build output and data out");
    }

    private static int indexOf(String op) {
        List<Instruction> r = runtime();
        for (int i = r.size() - 1; i >= 0; i--) {
            if (r.get(i).op.equals(op)) {
                return i;
            }
        }
        return -1;
    }

    /** Instructions with continuation lines joined and comments dropped. */
    private static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String s = current.toString().strip();
            current.setLength(0);
            if (!s.isEmpty()) {
                int space = s.indexOf(' ');
                out.add(new Instruction(s.substring(0, space).toUpperCase(), s.substring(space + 1).strip()));
            }
        }
        return out;
    }
}
