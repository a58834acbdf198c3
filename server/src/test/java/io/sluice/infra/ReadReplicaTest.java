package io.sluice.infra;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TcpProxy;
import io.sluice.support.TestInfra;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read/write split with database.replica-url. The embedded PostgreSQL ships no pg_basebackup, so no
 * real streaming replica can be built here: a TCP proxy in front of the primary stands in for it. What
 * that shows: reads that may lag (history listing, task poll) go through the replica's pool (its sessions
 * are read-only, so a write sent there fails), writes stay on the primary, a cut replica sends the reads
 * back to the primary without an error, a restored one gets them again, and /metrics (JSON and Prometheus)
 * says which pool served how many. What it cannot show: replay lag (a stand-in primary is never behind).
 */
class ReadReplicaTest {
    private static final String SESSION = "{\"title\":\"replica\",\"model\":\"sluice-sim\"}";
    private static final String TASK = "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static String proxied(TcpProxy proxy) {
        URI primary = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
        return "jdbc:postgresql://127.0.0.1:" + proxy.port() + primary.getPath();
    }

    @Test
    void readsGoToTheReplicaAndFallBackToThePrimaryWhenItIsCut() {
        URI primary = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
        try (TcpProxy replica = new TcpProxy("127.0.0.1", primary.getPort());
             TestServer s = TestServer.start(Map.of("database.replica-url", proxied(replica),
                                                    "database.replica-check-interval", "200ms",
                                                    "database.connection-timeout", "1s",
                                                    // The task stays running (about 15 s) through both rounds of
                                                    // polls: a finished task is served from the cache, not read,
                                                    // which on a slow machine made the second round's count short.
                                                    "llm.providers.simulated.tokens-per-second", "4"))) {
            await("replica usable", Duration.ofSeconds(10), () -> reads(s).path("replica_usable").asBoolean());
            String session = TestServer.json(s.postJson("/v1/sessions", SESSION)).path("id").asText();
            String task = TestServer.json(s.postJson("/v1/tasks", TASK)).path("task_id").asText();

            assertUnfinished(s, task);
            long before = reads(s).path("served_by_replica").asLong();
            for (int i = 0; i < 10; i++) {
                assertEquals(200, s.get("/v1/sessions/" + session + "/messages").statusCode());
                assertEquals(200, s.get("/v1/tasks/" + task).statusCode());
            }
            assertTrue(reads(s).path("served_by_replica").asLong() >= before + 20, "history and polls on the replica: " + reads(s));
            assertTrue(replica.openSockets() > 0, "the replica's pool holds connections through the stand-in");

            replica.cut();
            long primaryBefore = reads(s).path("served_by_primary").asLong();
            for (int i = 0; i < 10; i++) {   // no error while the replica goes away: the primary answers
                assertEquals(200, s.get("/v1/sessions/" + session + "/messages").statusCode());
                assertEquals(200, s.get("/v1/tasks/" + task).statusCode());
            }
            assertUnfinished(s, task);   // so every poll above was read, not served from the cache
            JsonNode cut = reads(s);
            assertEquals(false, cut.path("replica_usable").asBoolean(), cut.toString());
            assertTrue(cut.path("served_by_primary").asLong() >= primaryBefore + 20, "reads fell back: " + cut);
            String prometheus = s.send(HttpRequest.newBuilder(s.uri("/observe/metrics"))).body();
            assertTrue(prometheus.matches("(?s).*sluice_db_reads_total\\{[^}]*pool=\"replica\".*"), "Prometheus: reads by pool");
            assertTrue(prometheus.matches("(?s).*sluice_db_reads_total\\{[^}]*pool=\"primary\".*"), "Prometheus: reads by pool");

            replica.restore();
            await("replica usable again", Duration.ofSeconds(15), () -> reads(s).path("replica_usable").asBoolean());
            long again = reads(s).path("served_by_replica").asLong();
            assertEquals(200, s.get("/v1/sessions/" + session + "/messages").statusCode());
            assertTrue(reads(s).path("served_by_replica").asLong() > again, "back on the replica: " + reads(s));
        }
    }

    @Test
    void theReplicaPoolRefusesWritesAndNoReplicaMeansNoSplit() {
        URI primary = URI.create(TestInfra.postgresUrl().substring("jdbc:".length()));
        try (TcpProxy replica = new TcpProxy("127.0.0.1", primary.getPort());
             Database db = Database.open(settings(proxied(replica)), TestInfra.postgresUrl())) {
            await("replica usable", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(db.reads().get("replica_usable")));
            Database.DatabaseException e = assertThrows(Database.DatabaseException.class, () -> db.readQuery(
                    "INSERT INTO app_meta (key, value) VALUES ('replica-test', 'x') RETURNING key", row -> row.getString(1)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertEquals(1, db.readQuery("SELECT 1", row -> row.getInt(1)).size());
        }
        try (Database plain = Database.open(settings(""), TestInfra.postgresUrl())) {
            assertEquals(1, plain.readQuery("SELECT 1", row -> row.getInt(1)).size());
            assertNull(plain.reads(), "without a replica nothing is split or counted");
        }
    }

    private static DatabaseSettings settings(String replicaUrl) {
        DatabaseSettings base = PoolSizingTest.db(false, 4, 1, 4);
        return new DatabaseSettings(base.url(), base.username(), base.password(), false, 4, 1, 4, base.connectionTimeout(),
                                    base.socketTimeout(), base.maxLifetime(), base.validationTimeout(), 0, "unused",
                                    new ReplicaSettings(replicaUrl, "postgres", "postgres", Duration.ofSeconds(2),
                                                        Duration.ofMillis(200)));
    }

    private static void assertUnfinished(TestServer s, String task) {
        String status = TestServer.json(s.get("/v1/tasks/" + task)).path("status").asText();
        assertTrue(status.equals("queued") || status.equals("running"), "the task is still under way: " + status);
    }

    private static JsonNode reads(TestServer s) {
        HttpResponse<String> r = s.send(HttpRequest.newBuilder(s.uri("/metrics")).header("Accept", "application/json"));
        return TestServer.json(r).path("database").path("reads");
    }
}
