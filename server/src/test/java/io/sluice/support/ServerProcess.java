package io.sluice.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs io.sluice.Main in a separate JVM, for what only a process shows: environment variables, exit codes, SIGTERM. */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ServerProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    public static ServerProcess start(Path workDir, Map<String, String> env, String... args) {
        return start(workDir, env, 0, args);
    }

    /** As above, under an open-file limit ({@code ulimit -n}) of {@code openFileLimit} when it is above 0. */
    public static ServerProcess start(Path workDir, Map<String, String> env, int openFileLimit, String... args) {
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new java.util.ArrayList<>();
            if (openFileLimit > 0) {   // soft and hard: the JVM raises the soft limit to the hard one at start
                command.addAll(List.of("sh", "-c", "ulimit -n " + openFileLimit + " && exec \"$@\"", "sh"));
            }
            command.addAll(List.of(java, "-Xmx256m", "-cp", classpath, "io.sluice.Main"));
            command.addAll(List.of(args));
            Path output = Files.createTempFile(Path.of("server/target").toAbsolutePath(), "process-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DATABASE_") || k.startsWith("REDIS_")
                                                    || k.startsWith("SLUICE_") || k.startsWith("SERVER_"));
            pb.environment().putAll(env);
            return new ServerProcess(pb.start(), output);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for exit (bounded) and returns the exit code. */
    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not exit within " + seconds + " s; output:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGTERM, as an orchestrator stops a container. */
    public void terminate() {
        process.destroy();
    }

    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The server's process id (the shell of an open-file limit execs the JVM, so it is the JVM's). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }


    /**
     * A JVM start (Flyway, the in-process embedding model) took over 60 s on a 2-core CI machine busy with the
     * rest of the suite: bounded, but not tight. A server that exits early still fails at once.
     */
    public static final java.time.Duration START_BOUND = java.time.Duration.ofSeconds(180);
    private static final java.util.regex.Pattern LISTENING = java.util.regex.Pattern.compile("listening on http://[^:\\s]+:(\\d+)");

    /**
     * The port the server logged when it started listening, waiting (bounded) for that line: start it with
     * {@code SERVER_PORT=0}, as a port picked beforehand and freed again can be taken by another process
     * before this one binds it.
     */
    public int awaitPort() throws InterruptedException {
        long end = System.nanoTime() + START_BOUND.toNanos();
        while (true) {
            java.util.regex.Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!isAlive()) {
                throw new AssertionError("server exited before listening:\n" + output());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("server not listening after " + START_BOUND.toSeconds() + " s:\n" + output());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Polls {@code url} until it answers 200 (at most {@link #START_BOUND}); fails at once if the process exits.
     */
    public void waitUntilReady(java.net.http.HttpClient client, String url) throws Exception {
        waitUntilReady(client, url, START_BOUND);
    }

    /** As above with its own bound: a first embedded start (initdb) on a busy machine takes longer. */
    public void waitUntilReady(java.net.http.HttpClient client, String url, java.time.Duration bound) throws Exception {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            if (!isAlive()) {
                throw new AssertionError("server exited early:\n" + output());
            }
            try {
                if (client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not ready:\n" + output());
    }
}
