package io.sluice.observe.monitor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.sluice.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's five thresholds evaluated in process after each sample, for an operator without
 * Prometheus: an alert fires when its value passes the threshold and resolves once it has stayed
 * at or below it for a whole window (so a value hovering at the line is one episode, not many).
 * Each transition is one WARN line, the {@code sluice_alert_firing} gauge, and a webhook POST.
 */
final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    /** What the rules read: the latest sample and the request window. */
    record Reading(Resources resources, RequestWindow requests, int minRequests) {
    }

    private static final class Rule {
        final String name;
        final String what;
        final double threshold;
        final ToDoubleFunction<Reading> value;
        volatile boolean firing;
        volatile double last = Double.NaN;
        long lastAbove;

        Rule(String name, String what, double threshold, ToDoubleFunction<Reading> value) {
            this.name = name;
            this.what = what;
            this.threshold = threshold;
            this.value = value;
        }
    }

    private final List<Rule> rules;
    private final long resolveAfterNanos;
    private final Webhook webhook;
    private final String instance;

    Alerts(MonitorSettings s, Webhook webhook, String instance) {
        this.webhook = webhook;
        this.instance = instance;
        this.resolveAfterNanos = s.window().toNanos();
        this.rules = List.of(
                new Rule("cpu", "system CPU percent", s.cpuPercent(), r -> pct(r.resources().cpuSystem())),
                new Rule("memory", "system memory used percent", s.memoryPercent(),
                         r -> pct(r.resources().memoryUsedRatio())),
                new Rule("error_rate", "percent of HTTP answers >= 500 over the window", s.errorRatePercent(),
                         r -> r.requests().requests() < r.minRequests() ? Double.NaN : r.requests().errorRate() * 100),
                new Rule("response_time", "p95 HTTP request seconds over the window", s.responseTime().toMillis() / 1000.0,
                         r -> r.requests().requests() < r.minRequests() ? Double.NaN : r.requests().p95Seconds()),
                new Rule("active_connections", "open client connections", s.activeConnections(),
                         r -> r.resources().connections() < 0 ? Double.NaN : r.resources().connections()));
    }

    void registerMeters(MeterRegistry registry) {
        for (Rule rule : rules) {
            registry.getOrCreate(Gauge.builder("sluice.alert.firing", () -> rule.firing ? 1.0 : 0.0)
                    .description("1 while the in-process alert (monitoring.alerts.*) is firing")
                    .tags(List.of(Tag.create("alert", rule.name))));
        }
    }

    /**
     * Evaluates every rule (monitor thread only). NaN (no data: too few requests in the window, or not
     * measurable here) never fires a rule but lets a firing one resolve: traffic that stopped is not slow.
     */
    void evaluate(Reading reading, long now) {
        for (Rule rule : rules) {
            double v = rule.value.applyAsDouble(reading);
            rule.last = v;
            if (!Double.isNaN(v) && v > rule.threshold) {
                rule.lastAbove = now;
                if (!rule.firing) {
                    rule.firing = true;
                    transition(rule, "firing", v);
                }
            } else if (rule.firing && now - rule.lastAbove >= resolveAfterNanos) {
                rule.firing = false;
                transition(rule, "resolved", v);
            }
        }
    }

    private void transition(Rule rule, String state, double value) {
        LOG.warn("alert {} {}: {} {} (threshold {})", rule.name, state, rule.what, round(value), rule.threshold);
        if (webhook != null) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("alert", rule.name);
            event.put("state", state);
            event.put("value", Double.isNaN(value) ? null : round(value));
            event.put("threshold", rule.threshold);
            event.put("description", rule.what);
            event.put("instance", instance);
            event.put("at", Instant.now().toString());
            webhook.post(Json.MAPPER.valueToTree(event).toString());
        }
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Rule rule : rules) {
            double v = rule.last;
            m.put(rule.name, Map.of("firing", rule.firing,
                                    "value", Double.isNaN(v) || Double.isInfinite(v) ? -1 : round(v),
                                    "threshold", rule.threshold));
        }
        return m;
    }

    private static double pct(double ratio) {
        return ratio < 0 ? Double.NaN : ratio * 100;
    }

    private static double round(double v) {
        return Double.isInfinite(v) ? v : Math.round(v * 100) / 100.0;
    }
}
