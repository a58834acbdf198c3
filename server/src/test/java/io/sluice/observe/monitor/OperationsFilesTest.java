package io.sluice.observe.monitor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;
import io.sluice.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static io.sluice.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules (deploy/prometheus/alerts.yml) and the Grafana dashboard (deploy/grafana/sluice.json)
 * name only metrics a real Sluice exports: a server answers a chat and runs a task (so the lazily
 * created meters exist), its /observe/metrics page is scraped, and every metric name in every PromQL
 * expression must be on it. A renamed meter breaks this test instead of silently emptying a panel.
 * The one exception: {@code sluice_cache_*}, exported by the cache feature when it is built in.
 * The server runs with {@code metrics.virtual-threads.enabled} (off by default), whose {@code vthreads_*}
 * meters two JVM panels show, as their descriptions say.
 */
class OperationsFilesTest {
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=~\\s*\"([^\"]*)\"");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

    private static TestServer server;
    private static Set<String> exported;

    @BeforeAll
    static void scrape() {
        server = TestServer.start(Map.of("metrics.virtual-threads.enabled", "true"));
        String chat = "{\"model\":\"sluice-sim\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals(200, server.postJson("/v1/chat/completions", chat).statusCode());
        String task = TestServer.json(server.postJson("/v1/tasks", chat)).get("task_id").asText();
        await("the task done", Duration.ofSeconds(30), () ->
                !TestServer.json(server.get("/v1/tasks/" + task)).get("status").asText().matches("queued|running"));
        await("a resource sample", Duration.ofSeconds(15),
              () -> !TestServer.json(server.get("/metrics")).at("/resources/sampled_at").asText().startsWith("1970"));
        exported = new TreeSet<>();
        for (String line : server.get("/observe/metrics").body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                exported.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertRuleUsesExportedMetrics() throws Exception {
        Map<String, Object> file = new Yaml().load(Files.readString(Path.of("deploy/prometheus/alerts.yml")));
        List<String> problems = new ArrayList<>();
        Set<String> alerts = new HashSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String name = (String) rule.get("alert");
                assertTrue(alerts.add(name), "duplicate alert " + name);
                check(name, (String) rule.get("expr"), problems);
                String description = String.valueOf(((Map<String, Object>) rule.get("annotations")).get("description"));
                assertTrue(description.contains("README#operating-sluice") || name.equals("SluiceInProcessAlert"),
                           name + " points at its runbook");
            }
        }
        assertTrue(problems.isEmpty(), "not exported by Sluice:\n" + String.join("\n", problems) + "\nexported: " + exported);
        String readme = Files.readString(Path.of("README.md"));
        for (String alert : alerts) {
            assertTrue(readme.contains("`" + alert + "`"), "README runbook line for " + alert);
        }
    }

    @Test
    void dashboardIsGrafanaJsonOnExportedMetrics() throws Exception {
        JsonNode dash = Json.MAPPER.readTree(Files.readString(Path.of("deploy/grafana/sluice.json")));
        assertEquals("sluice", dash.get("uid").asText());
        assertTrue(dash.at("/templating/list").findValuesAsText("name").contains("DS_PROMETHEUS"),
                   "a data source variable, so the dashboard imports into any Grafana");
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        Set<String> rows = new HashSet<>();
        int expressions = 0;
        for (JsonNode panel : dash.get("panels")) {
            assertTrue(ids.add(panel.get("id").asInt()), "duplicate panel id " + panel.get("id"));
            assertTrue(panel.has("gridPos"), panel.get("title").asText());
            if (panel.get("type").asText().equals("row")) {
                rows.add(panel.get("title").asText().split(" ")[0]);
                continue;
            }
            assertEquals("${DS_PROMETHEUS}", panel.at("/datasource/uid").asText(), panel.get("title").asText());
            for (JsonNode target : panel.get("targets")) {
                check(panel.get("title").asText(), target.get("expr").asText(), problems);
                expressions++;
            }
        }
        assertTrue(problems.isEmpty(), "not exported by Sluice:\n" + String.join("\n", problems) + "\nexported: " + exported);
        assertTrue(expressions > 40, "panels with queries: " + expressions);
        for (String row : List.of("Traffic", "Latency", "Errors", "Admission", "Pools", "Tasks", "Cache", "Upstream", "JVM")) {
            assertTrue(rows.contains(row), "a row " + row + " in " + rows);
        }
    }

    /** Adds a problem for each metric the expression names that the server does not export. */
    private static void check(String where, String expr, List<String> problems) {
        Matcher names = NAME_MATCHER.matcher(expr);
        boolean any = false;
        while (names.find()) {
            any = true;
            if (!names.group(1).startsWith("sluice_cache_") && !names.group(1).startsWith(".*")) {
                problems.add(where + ": __name__ matcher " + names.group(1));
            }
        }
        String bare = STRING.matcher(expr).replaceAll("\"\"");
        bare = bare.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^\\]]*]", " ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String metric = m.group(1);
            if (KEYWORDS.contains(metric)) {
                continue;
            }
            any = true;
            if (!exported.contains(metric)) {
                problems.add(where + ": " + metric + "   in   " + expr.strip());
            }
        }
        assertFalse(!any, where + ": no metric in " + expr);
    }
}
