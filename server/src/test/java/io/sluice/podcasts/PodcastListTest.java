package io.sluice.podcasts;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.sluice.support.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /v1/podcasts with two users on a real server: each sees only their own, newest first, page by page. */
class PodcastListTest {
    private static FakeTts tts;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        tts = new FakeTts(0);
        Map<String, String> c = new HashMap<>(tts.config());
        c.put("podcasts.dir", Files.createTempDirectory(Path.of("server/target").toAbsolutePath(), "podcast-list-").toString());
        c.put("auth.enabled", "true");
        c.put("auth.registration", "true");
        c.put("auth.jwt-secret", "podcast-list-test-secret-0123456789abcdef-0123456789");
        server = TestServer.start(c);
    }

    @AfterAll
    static void stop() {
        server.close();
        tts.close();
    }

    @Test
    void eachUserListsOnlyTheirOwnNewestFirstPageByPage() {
        String alice = login("alice");
        String bob = login("bob");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 21; i++) {   // one more than the default page
            made.add(submit(alice, "Ana: Episode " + i + "."));
        }
        List<String> bobs = List.of(submit(bob, "Ben: Mine."), submit(bob, "Ben: Mine too."));
        List<String> newestFirst = made.reversed();

        JsonNode first = list(alice, "");
        assertEquals("list", first.path("object").asText());
        assertEquals(newestFirst.subList(0, 20), ids(first), "the default page: 20, newest first");
        assertTrue(first.path("has_more").asBoolean());
        assertEquals(newestFirst.getFirst(), first.path("first_id").asText());
        JsonNode rest = list(alice, "?after=" + first.path("last_id").asText());
        assertEquals(newestFirst.subList(20, 21), ids(rest));
        assertFalse(rest.path("has_more").asBoolean());
        JsonNode item = first.path("data").path(0);
        assertEquals("podcast", item.path("object").asText());
        assertTrue(item.has("status") && item.has("progress") && item.has("hosts") && !item.has("script"), item.toString());

        List<String> paged = new ArrayList<>();   // limit=8: 8 + 8 + 5, the cursor each page's last_id
        String after = "";
        JsonNode page;
        do {
            page = list(alice, "?limit=8" + after);
            paged.addAll(ids(page));
            after = "&after=" + page.path("last_id").asText();
        } while (page.path("has_more").asBoolean());
        assertEquals(newestFirst, paged, "pages in order, none skipped or repeated");
        assertEquals(newestFirst, ids(list(alice, "?limit=100")));

        assertEquals(bobs.reversed(), ids(list(bob, "")), "bob sees his two, none of alice's");
        HttpResponse<String> foreignCursor = get(bob, "/v1/podcasts?after=" + made.getFirst());
        assertEquals(400, foreignCursor.statusCode(), foreignCursor.body());
        assertTrue(json(foreignCursor).at("/error/message").asText().startsWith("after"), foreignCursor.body());
        HttpResponse<String> deleted = get(alice, "/v1/podcasts?after=" + UUID.randomUUID());
        assertEquals(400, deleted.statusCode(), deleted.body());
        for (String bad : List.of("limit=0", "limit=101", "limit=abc", "after=nope")) {
            HttpResponse<String> r = get(alice, "/v1/podcasts?" + bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            assertTrue(json(r).at("/error/message").asText().startsWith(bad.substring(0, bad.indexOf('='))), r.body());
        }
        assertEquals(401, server.get("/v1/podcasts").statusCode(), "no credentials, no list");
    }

    private static String submit(String token, String script) {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/v1/podcasts"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"script\":\"" + script + "\",\"hosts\":" + PodcastsTest.HOSTS + "}")));
        assertEquals(202, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    private static JsonNode list(String token, String query) {
        HttpResponse<String> r = get(token, "/v1/podcasts" + query);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static HttpResponse<String> get(String token, String path) {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + token));
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data").forEach(p -> ids.add(p.path("id").asText()));
        return ids;
    }

    private static String login(String name) {
        String creds = "{\"username\":\"" + name + "-" + UUID.randomUUID().toString().substring(0, 8)
                       + "\",\"password\":\"Tr0ub4dor&3-horse\"}";
        assertEquals(201, server.postJson("/api/auth/register", creds).statusCode());
        HttpResponse<String> l = server.postJson("/api/auth/login", creds);
        assertEquals(200, l.statusCode(), l.body());
        return json(l).path("token").asText();
    }
}
