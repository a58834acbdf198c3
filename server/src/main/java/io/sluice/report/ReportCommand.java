package io.sluice.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.http.Json;
import io.sluice.report.ReportArgs.BadArgs;
import io.sluice.report.Sampler.Sample;

/**
 * {@code java -jar sluice.jar report ...} (seed 002's performance monitor): samples a running instance
 * for a while and writes what it saw, for before/after comparisons of a load run. Exit codes: 0 done,
 * 1 the instance never answered or the output could not be written, 2 bad arguments (usage printed).
 */
public final class ReportCommand {
    private ReportCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        ReportArgs a;
        try {
            a = ReportArgs.parse(args);
        } catch (BadArgs e) {
            err.println("sluice report: " + e.getMessage());
            err.println(ReportArgs.USAGE);
            return 2;
        }
        out.printf("sampling %s every %d ms for %d s ...%n", a.url(), a.interval().toMillis(), a.duration().toSeconds());
        List<Sample> samples;
        try {
            samples = sample(new Sampler(a.url()), a);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        ReportSummary summary = ReportSummary.of(samples);
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("url", a.url().toString());
        report.put("started_at", Instant.ofEpochMilli(samples.getFirst().epochMillis()).toString());
        report.put("duration_seconds", a.duration().toMillis() / 1000.0);
        report.put("interval_seconds", a.interval().toMillis() / 1000.0);
        report.set("summary", summary.json());
        report.set("samples", Json.MAPPER.valueToTree(samples));
        if (a.output() != null) {
            try {
                Files.writeString(a.output(), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            } catch (IOException e) {
                err.println("sluice report: cannot write " + a.output() + ": " + e.getMessage());
                return 1;
            }
        }
        out.print(summary.text());
        if (a.output() != null) {
            out.println("report written to " + a.output());
        }
        if (summary.answered() == 0) {
            err.println("sluice report: " + a.url() + " never answered (" + samples.getLast().error() + ")");
            return 1;
        }
        return 0;
    }

    /** A sample at the start, then one every interval until the duration has passed (every wait bounded by it). */
    private static List<Sample> sample(Sampler sampler, ReportArgs a) throws InterruptedException {
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + a.duration().toNanos();
        long next = start;
        while (true) {
            samples.add(sampler.take());
            next += a.interval().toNanos();
            if (next > end + a.interval().toNanos() / 2) {
                return samples;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
    }
}
