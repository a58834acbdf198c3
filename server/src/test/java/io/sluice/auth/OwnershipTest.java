package io.sluice.auth;

import java.util.Map;

import io.sluice.support.Users;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.Users.delete;
import static io.sluice.support.Users.get;
import static io.sluice.support.Users.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** User A's sessions and tasks are not found (404) for user B, whatever the route. */
class OwnershipTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("auth.enabled", "true", "auth.registration", "true",
                                         "llm.providers.simulated.latency", "10ms",
                                         "llm.providers.simulated.tokens-per-second", "2000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anotherUsersSessionAndTaskAreNotFound() {
        String a = Users.registerAndLogin(server, Users.fresh("owner-a"));
        String b = Users.registerAndLogin(server, Users.fresh("owner-b"));

        var created = post(server, "/v1/sessions", a, "{\"title\":\"mine\"}");
        assertEquals(201, created.statusCode(), created.body());
        String session = TestServer.json(created).path("id").asText();
        assertEquals(200, get(server, "/v1/sessions/" + session, a).statusCode());
        assertEquals(404, get(server, "/v1/sessions/" + session, b).statusCode());
        assertEquals(404, get(server, "/v1/sessions/" + session + "/messages", b).statusCode());
        assertEquals(404, post(server, "/v1/sessions/" + session + "/chat", b, "{\"message\":\"hi\"}").statusCode());
        assertEquals(404, delete(server, "/v1/sessions/" + session, b).statusCode());
        assertEquals(200, get(server, "/v1/sessions/" + session, a).statusCode(), "B's delete did nothing");

        var submitted = post(server, "/v1/tasks", a,
                "{\"model\":\"sluice-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(202, submitted.statusCode(), submitted.body());
        String task = TestServer.json(submitted).path("task_id").asText();
        assertEquals(200, get(server, "/v1/tasks/" + task, a).statusCode());
        assertEquals(404, get(server, "/v1/tasks/" + task, b).statusCode());
        assertEquals(404, get(server, "/v1/tasks/" + task + "?wait=1s", b).statusCode());
        assertEquals(404, get(server, "/api/llmchat/tasks/" + task, b).statusCode());
        assertEquals(404, delete(server, "/v1/tasks/" + task, b).statusCode());
        assertEquals(200, get(server, "/api/llmchat/tasks/" + task, a).statusCode());
    }

    @Test
    void anotherUsersPodcastIsNotFound() {
        String a = Users.registerAndLogin(server, Users.fresh("podcaster-a"));
        String b = Users.registerAndLogin(server, Users.fresh("podcaster-b"));
        var created = post(server, "/v1/podcasts", a, "{\"script\":\"Ana: Hello.\\nBen: Bye.\",\"hosts\":"
                + "[{\"name\":\"Ana\",\"voice\":\"alloy\"},{\"name\":\"Ben\",\"voice\":\"echo\"}]}");
        assertEquals(202, created.statusCode(), created.body());
        String podcast = TestServer.json(created).path("id").asText();
        assertEquals(200, get(server, "/v1/podcasts/" + podcast, a).statusCode());
        for (String path : new String[] {"", "/events", "/audio"}) {
            var other = get(server, "/v1/podcasts/" + podcast + path, b);
            assertEquals(404, other.statusCode(), path);
            assertEquals("podcast_not_found", TestServer.json(other).at("/error/code").asText(), path);
        }
        assertEquals(404, delete(server, "/v1/podcasts/" + podcast, b).statusCode());
        assertEquals(200, get(server, "/v1/podcasts/" + podcast, a).statusCode(), "B's delete did nothing");
        assertEquals(200, delete(server, "/v1/podcasts/" + podcast, a).statusCode());
    }
}
