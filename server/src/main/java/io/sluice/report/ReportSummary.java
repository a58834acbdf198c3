package io.sluice.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;
import io.sluice.report.Sampler.Sample;

/**
 * What a run of samples adds up to: min/avg/max/p95 of every figure over the samples that answered,
 * and the API request rate and 5xx share from the first to the last answered sample.
 */
record ReportSummary(int samples, int answered, Map<String, Stats> figures, long requests, long serverErrors, double seconds) {

    record Stats(double min, double avg, double max, double p95) {
    }

    /** The figures the text summary shows first, when the instance has them. */
    private static final List<String> HEADLINE = List.of("health.concurrent_requests", "health.concurrent_streaming",
            "health.waiting_requests", "health.db_pool_active", "health.redis_pool_active");

    static ReportSummary of(List<Sample> all) {
        List<Sample> ok = all.stream().filter(s -> s.error() == null).toList();
        Map<String, List<Double>> values = new TreeMap<>();
        for (Sample s : ok) {
            s.figures().forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Map<String, Stats> figures = new TreeMap<>();
        values.forEach((k, v) -> figures.put(k, stats(v)));
        long requests = 0;
        long errors = 0;
        double seconds = 0;
        if (ok.size() >= 2) {
            Sample first = ok.getFirst();
            Sample last = ok.getLast();
            requests = Math.max(0, last.requests() - first.requests());   // a restart in between resets the counters
            errors = Math.max(0, last.serverErrors() - first.serverErrors());
            seconds = (last.epochMillis() - first.epochMillis()) / 1000.0;
        }
        return new ReportSummary(all.size(), ok.size(), figures, requests, errors, seconds);
    }

    private static Stats stats(List<Double> v) {
        List<Double> sorted = new ArrayList<>(v);
        Collections.sort(sorted);
        double sum = 0;
        for (double d : sorted) {
            sum += d;
        }
        int rank = (int) Math.ceil(0.95 * sorted.size());   // nearest rank
        return new Stats(sorted.getFirst(), sum / sorted.size(), sorted.getLast(), sorted.get(Math.max(0, rank - 1)));
    }

    double requestRate() {
        return seconds > 0 ? requests / seconds : 0;
    }

    double errorRate() {
        return requests > 0 ? (double) serverErrors / requests : 0;
    }

    ObjectNode json() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("samples", samples);
        o.put("answered", answered);
        o.put("failed", samples - answered);
        o.put("requests", requests);
        o.put("server_errors", serverErrors);
        o.put("request_rate_per_second", round(requestRate()));
        o.put("error_rate", round(errorRate()));
        o.set("figures", Json.MAPPER.valueToTree(figures));
        return o;
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("samples: %d (%d answered)%n", samples, answered));
        b.append(String.format("requests: %d in %.1f s = %.2f/s; 5xx: %d (%.2f%%)%n", requests, seconds, requestRate(),
                               serverErrors, errorRate() * 100));
        for (String k : HEADLINE) {
            Stats s = figures.get(k);
            if (s != null) {
                b.append(String.format("%-30s min %-8s avg %-8s max %-8s p95 %s%n", k.substring(k.indexOf('.') + 1),
                                       num(s.min()), num(s.avg()), num(s.max()), num(s.p95())));
            }
        }
        return b.toString();
    }

    private static double round(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    private static String num(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format("%.2f", d);
    }
}
