package io.sluice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.sluice.support.ServerProcess;
import io.sluice.support.TestInfra;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server under a small open-file limit lowers its connection limits to fit, says so, and keeps its
 * listening socket when more clients connect than it has descriptors for. Before, the accept that met
 * "Too many open files" closed the listener for good: the process stayed up and answered nobody.
 */
class OpenFileLimitTest {
    private static final int LIMIT = 1100;
    private static final Pattern LOWERED = Pattern.compile("server\\.max-tcp-connections 10000 -> (\\d+)");

    @Test
    void moreClientsThanDescriptorsWaitInsteadOfKillingTheListener() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "nofile-");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ServerProcess p = ServerProcess.start(dir, Map.of(
                "SERVER_PORT", "0",
                "DATABASE_URL", TestInfra.postgresUrl().replace("jdbc:postgresql://", "postgres://postgres:postgres@"),
                "REDIS_URL", TestInfra.redisUrl(),
                "LOGGING_DIR", dir.resolve("logs").toString(),
                "AUTH_ENABLED", "false"), LIMIT)) {
            int port = p.awaitPort();
            String base = "http://127.0.0.1:" + port;
            p.waitUntilReady(client, base + "/observe/health/ready");
            Matcher m = LOWERED.matcher(p.output());
            assertTrue(m.find(), "a WARN names the lowered limit:\n" + p.output());
            int clients = Integer.parseInt(m.group(1));
            assertTrue(clients >= OpenFileBudget.MIN_CLIENT_CONNECTIONS && clients < LIMIT - OpenFileBudget.BASE_RESERVE,
                       "lowered to " + clients);

            // More connections than the process has descriptors left (jars, logs and pools hold a few hundred).
            int before = openFiles(p.pid());
            ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < LIMIT; i++) {
                    pool.submit(() -> {
                        Socket s = new Socket();
                        held.add(s);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                        return null;
                    });
                }
            }
            long connected = held.stream().filter(Socket::isConnected).count();
            assertTrue(connected > clients, "connected " + connected + " of " + held.size());
            // Hold them until the server has taken all it will take: its descriptor count still for half a second.
            int[] last = {-1, 0};
            await("the server's descriptor count settled", Duration.ofSeconds(30), () -> {
                int now = openFiles(p.pid());
                last[1] = now == last[0] ? last[1] + 1 : 0;
                last[0] = now;
                return last[1] >= 20;
            });
            assertTrue(last[0] >= before + clients / 2 && last[0] < LIMIT,
                       "descriptors " + before + " before, " + last[0] + " with the crowd; limit " + LIMIT);
            closeAll(held);

            // The listener is still there: a new client is served once the crowd has gone.
            await("a new request answered after the crowd left", Duration.ofSeconds(30), () -> ready(client, base));
            assertFalse(p.output().contains("this server socket is terminating"), p.output());
            assertFalse(p.output().contains("Too many open files"), p.output());
        }
    }

    @Test
    void limitsThatFitAreKept() {
        assertEquals(new OpenFileBudget.Plan(10_000, 200, 200), OpenFileBudget.plan(1_048_576, 700, 10_000, 200, 200));
        assertEquals(new OpenFileBudget.Plan(10_000, 200, 0), OpenFileBudget.plan(-1, 700, 10_000, 200, 0), "limit unknown");
    }

    @Test
    void upstreamGetsAtMostHalfAndClientsTheRest() {
        // The benchmark's raised limits under a 20,000 limit: 40,000 clients, 30,000 LLM connections, no origins.
        OpenFileBudget.Plan p = OpenFileBudget.plan(20_000, 764, 40_000, 30_000, 0);
        assertEquals(new OpenFileBudget.Plan(9_618, 9_618, 0), p);
        // Origins configured: LLM and origin connections share the upstream half in proportion.
        OpenFileBudget.Plan q = OpenFileBudget.plan(4_096, 1_096, 10_000, 3_000, 1_000);
        assertEquals(new OpenFileBudget.Plan(1_500, 1_125, 375), q);
    }

    @Test
    void aLimitTooSmallForAnyServerStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                                               () -> OpenFileBudget.plan(600, 700, 10_000, 200, 0));
        assertTrue(e.getMessage().contains("ulimit -n"), e.getMessage());
    }

    private static boolean ready(HttpClient client, String base) {
        try {
            return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/observe/health/ready"))
                                       .timeout(Duration.ofSeconds(5)).build(),
                               java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int openFiles(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static void closeAll(ConcurrentLinkedQueue<Socket> sockets) {
        List<Socket> all = new ArrayList<>(sockets);
        for (Socket s : all) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket that never connected
            }
        }
    }
}
