package io.sluice.deploy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.ConfigReader;
import io.sluice.http.Json;
import io.sluice.observe.LivenessFilter;
import org.junit.jupiter.api.Test;

import static io.sluice.deploy.DeployFiles.DEPLOY;
import static io.sluice.deploy.DeployFiles.at;
import static io.sluice.deploy.DeployFiles.required;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/compose.yaml and the files it mounts agree with each other and with config.yaml: three
 * health-checked instances, all of them (and only them) behind HAProxy's readiness-checked round robin
 * and scraped by Prometheus, PgBouncer in transaction mode with pgjdbc's prepareThreshold=0, the pool
 * arithmetic, the trusted proxy, a stop grace period longer than the shutdown.
 */
class ComposeTest {
    private static final Map<String, Object> COMPOSE = DeployFiles.yaml(DEPLOY.resolve("compose.yaml"));
    private static final Map<String, Object> SERVICES = required(COMPOSE, "services", "compose.yaml");

    private static List<String> instances() {
        return SERVICES.keySet().stream().filter(name -> name.matches("sluice-\\d+")).sorted().toList();
    }

    private static Map<String, Object> env(String service) {
        return required(SERVICES.get(service), "environment", service);
    }

    @Test
    void threeInstancesEachHealthCheckedAndGivenTimeToDrain() {
        assertEquals(3, instances().size(), "instances: " + instances());
        for (String name : instances()) {
            List<?> test = required(SERVICES.get(name), "healthcheck.test", name);
            String url = test.stream().map(String::valueOf).filter(s -> s.startsWith("http")).findFirst().orElse("");
            assertTrue(url.endsWith(":" + DeployFiles.serverPort() + LivenessFilter.PATH), name + " healthcheck: " + test);
            Duration grace = ConfigReader.parseDuration(String.valueOf((Object) required(SERVICES.get(name), "stop_grace_period", name)));
            assertNotNull(grace, name + ": stop_grace_period");
            assertTrue(grace.compareTo(DeployFiles.shutdownTime()) > 0,
                       name + ": stop_grace_period " + grace + " must exceed the shutdown " + DeployFiles.shutdownTime());
            assertEquals(name, env(name).get("TASKS_CONSUMER"), "a distinct task consumer per instance");
        }
    }

    @Test
    void haproxyBalancesExactlyTheInstancesOnReadiness() {
        String cfg = DeployFiles.read(DEPLOY.resolve("haproxy/haproxy.cfg"));
        Set<String> servers = new TreeSet<>();
        for (String line : cfg.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w[0].equals("server")) {
                assertEquals(w[1] + ":" + DeployFiles.serverPort(), w[2], "backend address of " + w[1]);
                assertTrue(List.of(w).contains("check"), w[1] + " is health-checked");
                servers.add(w[1]);
            }
        }
        assertEquals(new TreeSet<>(instances()), servers, "HAProxy backends = the instances");
        assertTrue(cfg.contains("balance roundrobin"), "round robin");
        assertTrue(cfg.contains("option httpchk GET " + DeployFiles.READY_PATH), "checked on readiness");
        assertTrue(cfg.contains("option forwardfor"), "X-Forwarded-For added");
        assertTrue(cfg.matches("(?s).*timeout server\\s+\\d{3,}s.*"), "server timeout long enough for streams");
        String haproxyIp = required(SERVICES.get("haproxy"), "networks.sluice.ipv4_address", "haproxy");
        for (String name : instances()) {
            assertEquals(haproxyIp, env(name).get("SECURITY_TRUSTED_dash_PROXIES"), name + " trusts HAProxy's address");
        }
    }

    @Test
    void pgbouncerInTransactionModeWithoutServerSidePreparedStatements() {
        Map<String, String> ini = DeployFiles.ini(DeployFiles.read(DEPLOY.resolve("pgbouncer/pgbouncer.ini")));
        assertEquals("transaction", ini.get("pgbouncer.pool_mode"));
        String listen = ini.get("pgbouncer.listen_port");
        for (String name : instances()) {
            Map<String, Object> env = env(name);
            String url = String.valueOf(env.get("DATABASE_URL"));
            boolean viaPgbouncer = url.contains("//pgbouncer:" + listen + "/");
            assertTrue(viaPgbouncer, name + " reaches PostgreSQL through PgBouncer: " + url);
            assertTrue(url.matches(".*[?&]prepareThreshold=0(&.*)?"), name + ": prepareThreshold=0 in " + url);
            assertEquals("true", String.valueOf(env.get("DATABASE_PGBOUNCER")), name + ": database.pgbouncer");
            assertEquals(ini.get("pgbouncer.default_pool_size"), String.valueOf(env.get("DATABASE_SERVER_dash_CONNECTIONS")),
                         name + ": database.server-connections = PgBouncer's default_pool_size");
            assertEquals(String.valueOf(instances().size()), String.valueOf(env.get("DATABASE_REPLICAS")),
                         name + ": database.replicas = the number of instances");
        }
        assertTrue(String.valueOf((Object) at(SERVICES, "postgres.image")).startsWith("postgres:17"), "PostgreSQL 17");
    }

    @Test
    void redisKeepsAnAppendOnlyFile() {
        assertTrue(String.valueOf((Object) at(SERVICES, "redis.image")).startsWith("redis:7"), "Redis 7");
        List<?> command = required(SERVICES.get("redis"), "command", "redis");
        int i = command.indexOf("--appendonly");
        assertTrue(i >= 0 && "yes".equals(command.get(i + 1)), "AOF on: " + command);
    }

    @Test
    void prometheusScrapesEveryInstanceAndLoadsTheAlerts() {
        Map<String, Object> prom = DeployFiles.yaml(DEPLOY.resolve("prometheus/prometheus.yml"));
        List<?> rules = required(prom, "rule_files", "prometheus.yml");
        assertTrue(rules.contains("alerts.yml"), "rule_files: " + rules);
        List<Map<String, Object>> jobs = required(prom, "scrape_configs", "prometheus.yml");
        Map<String, Object> job = jobs.stream().filter(j -> "sluice".equals(j.get("job_name"))).findFirst().orElseThrow();
        assertEquals("/observe/metrics", job.get("metrics_path"));
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> sc : DeployFiles.<List<Map<String, Object>>>required(job, "static_configs", "sluice job")) {
            targets.addAll(DeployFiles.<List<String>>required(sc, "targets", "static_configs"));
        }
        assertEquals(instances().stream().map(n -> n + ":" + DeployFiles.serverPort()).collect(Collectors.toSet()),
                     Set.copyOf(targets), "every instance scraped on its own");
    }

    @Test
    void grafanaProvisionsTheDashboardItMounts() throws Exception {
        List<?> volumes = required(SERVICES.get("grafana"), "volumes", "grafana");
        String mount = volumes.stream().map(String::valueOf).filter(v -> v.startsWith("./grafana/sluice.json:")).findFirst()
                .orElseThrow(() -> new AssertionError("grafana mounts ./grafana/sluice.json: " + volumes));
        String inContainer = mount.split(":")[1];
        Map<String, Object> provider = DeployFiles.yaml(DEPLOY.resolve("grafana/provisioning/dashboards/sluice.yaml"));
        List<Map<String, Object>> providers = required(provider, "providers", "dashboards provisioning");
        String path = required(providers.getFirst(), "options.path", "dashboard provider");
        assertTrue(inContainer.startsWith(path + "/"), "provider path " + path + " holds " + inContainer);
        JsonNode dashboard = Json.MAPPER.readTree(DeployFiles.read(DEPLOY.resolve("grafana/sluice.json")));
        assertFalse(dashboard.path("title").asText().isEmpty(), "dashboard title");
        assertTrue(dashboard.path("panels").isArray(), "dashboard panels");
        Map<String, Object> ds = DeployFiles.yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"));
        List<Map<String, Object>> sources = required(ds, "datasources", "datasource provisioning");
        assertEquals("http://prometheus:9090", sources.getFirst().get("url"));
    }
}
