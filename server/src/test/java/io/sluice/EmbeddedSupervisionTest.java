package io.sluice;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.sluice.support.ServerProcess;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `make run` after a kill -9: the embedded PostgreSQL and Redis the killed server left running are
 * stopped and the new server starts on the same data; PostgreSQL killed under a running server is
 * started again and readiness comes back.
 */
class EmbeddedSupervisionTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** initdb and two JVM starts while the rest of the suite runs on two cores: bounded, but not tight. */
    private static final Duration START_BOUND = Duration.ofSeconds(180);

    @Test
    void orphansOfAKilledServerAreStoppedAndADeadPostgresIsRestarted() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "supervision-");
        // Port 0 and the port each server logs: a port picked beforehand and freed again can be taken by
        // another process (this suite runs beside others) before the server binds it.
        Map<String, String> env = Map.of("SERVER_PORT", "0", "LOGGING_DIR", dir.resolve("logs").toString(),
                                         "AUTH_ENABLED", "false");
        Path pgPid = dir.resolve("data/postgres/postmaster.pid");
        Path redisPid = dir.resolve("data/redis/redis.pid");
        try {
            killedServerThenDeadPostgres(dir, env, pgPid, redisPid);
        } finally {
            stopLeftovers(pgPid, redisPid);   // a failed run must not leave servers behind
        }
    }

    private static void killedServerThenDeadPostgres(Path dir, Map<String, String> env, Path pgPid, Path redisPid)
            throws Exception {
        String firstReady;
        try (ServerProcess first = ServerProcess.start(dir, env)) {
            firstReady = readyUrl(first);
            first.waitUntilReady(CLIENT, firstReady, START_BOUND);
        }   // close() is kill -9: no shutdown hook runs
        ProcessHandle orphan = process(pgPid);
        await("the first server to be gone", Duration.ofSeconds(30), () -> !portAnswers(firstReady));
        assertTrue(orphan.isAlive(), "the killed server's PostgreSQL is still running (the case under test)");

        ServerProcess second = ServerProcess.start(dir, env);
        try {
            String ready = readyUrl(second);
            second.waitUntilReady(CLIENT, ready, START_BOUND);
            assertTrue(second.output().contains("embedded PostgreSQL (pid " + orphan.pid() + ") was left running by an earlier run"),
                       second.output());
            assertTrue(second.output().contains("embedded Redis (pid"), "the orphaned Redis is found too: " + second.output());
            assertTrue(orphan.onExit().isDone() || !orphan.isAlive(), "the orphan was stopped");

            ProcessHandle postgres = process(pgPid);
            postgres.destroyForcibly();
            await("the server to log the restart", Duration.ofSeconds(30),
                  () -> second.output().contains("embedded PostgreSQL restarted"));
            await("readiness to return to 200", Duration.ofSeconds(30), () -> status(ready) == 200);
            assertTrue(second.output().contains("embedded PostgreSQL at"), "the death is logged: " + second.output());
        } finally {
            second.terminate();
            assertEquals(143, second.waitFor(40), "exited by SIGTERM: " + second.output());
        }
        assertTrue(!Files.exists(redisPid) || process(redisPid) == null || !process(redisPid).isAlive(),
                   "a clean stop leaves no Redis behind");
    }

    private static void stopLeftovers(Path... pidFiles) throws Exception {
        for (Path f : pidFiles) {
            ProcessHandle p = process(f);
            if (p != null && p.isAlive()
                && p.info().command().map(c -> c.contains("postgres") || c.contains("redis")).orElse(false)) {
                p.destroy();
                p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private static ProcessHandle process(Path pidFile) throws Exception {
        if (!Files.exists(pidFile)) {
            return null;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
        return ProcessHandle.of(pid).orElse(null);
    }

    private static int status(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                               HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static boolean portAnswers(String url) {
        return status(url) > 0;
    }

    private static String readyUrl(ServerProcess p) throws InterruptedException {
        return "http://127.0.0.1:" + p.awaitPort() + "/observe/health/ready";
    }
}
