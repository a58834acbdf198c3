package io.sluice.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.http.Json;

/**
 * Takes one sample of a running instance: every number in its {@code /health} and {@code /metrics}
 * JSON (flattened to dotted names, so figures another release adds are picked up too), and the API
 * request and 5xx counts from the Prometheus text (the sampler's own probe and scrape requests excluded).
 */
final class Sampler {
    /** One sample; {@code error} is set (and the rest empty) when the instance did not answer. */
    record Sample(long epochMillis, Map<String, Double> figures, long requests, long serverErrors, String error) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);   // each call; a hung instance costs a sample, not the run
    private static final Pattern REQUESTS = Pattern.compile(
            "^sluice_http_requests_seconds_count\\{(.*)}\\s+([0-9.eE+]+)$");
    private static final Pattern ROUTE = Pattern.compile("route=\"([^\"]*)\"");
    private static final Pattern STATUS = Pattern.compile("status=\"(\\d+)\"");

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

    Sampler(URI base) {
        this.base = base;
    }

    Sample take() {
        long now = System.currentTimeMillis();
        try {
            Map<String, Double> figures = new TreeMap<>();
            flatten("health", Json.MAPPER.readTree(get("/health", "application/json")), figures);
            flatten("metrics", Json.MAPPER.readTree(get("/metrics", "application/json")), figures);
            long requests = 0;
            long errors = 0;
            for (String line : get("/observe/metrics", "text/plain").split("\n")) {
                Matcher m = REQUESTS.matcher(line.strip());
                if (!m.matches() || operational(m.group(1))) {
                    continue;
                }
                long count = (long) Double.parseDouble(m.group(2));
                requests += count;
                Matcher status = STATUS.matcher(m.group(1));
                if (status.find() && status.group(1).startsWith("5")) {
                    errors += count;
                }
            }
            return new Sample(now, figures, requests, errors, null);
        } catch (IOException | RuntimeException e) {
            return new Sample(now, Map.of(), 0, 0, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(now, Map.of(), 0, 0, "interrupted");
        }
    }

    private String get(String path, String accept) throws IOException, InterruptedException {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                                                       .header("Accept", accept).GET().build(),
                                               HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + res.statusCode());
        }
        return res.body();
    }

    /** The sampler's own calls (and any probe or scrape) are not the traffic being measured. */
    private static boolean operational(String labels) {
        Matcher route = ROUTE.matcher(labels);
        if (!route.find()) {
            return false;
        }
        String r = route.group(1);
        return r.startsWith("/observe") || r.equals("/health") || r.equals("/metrics");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, Double> into) {
        if (node.isNumber()) {
            into.put(prefix, node.asDouble());
        } else if (node.isBoolean()) {
            into.put(prefix, node.asBoolean() ? 1.0 : 0.0);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix + '.' + e.getKey(), e.getValue(), into);
            }
        }
    }
}
