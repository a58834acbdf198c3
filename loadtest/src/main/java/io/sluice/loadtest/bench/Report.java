package io.sluice.loadtest.bench;

import java.util.List;

/** The Markdown report of {@code make bench}: sections, paragraphs, tables and the usual row formats. */
final class Report {
    private final StringBuilder text = new StringBuilder();
    private String quiet;   // how the machine settled before the next section, written under its title

    void raw(String s) {
        text.append(s).append('\n');
    }

    void section(String title) {
        text.append("\n## ").append(title).append("\n\n");
        System.out.println("== " + title);
        if (quiet != null) {
            line("_Before this section: " + quiet + "._");
            quiet = null;
        }
    }

    /** Notes how the machine settled before the section that starts next (see {@link Quiet}). */
    void quiet(String note) {
        quiet = note;
    }

    void line(String s) {
        text.append(s).append("\n\n");
        System.out.println(s);
    }

    void table(String header, List<String> rows) {
        text.append(header).append('\n').append(header.replaceAll("[^|]+", "---")).append('\n');
        rows.forEach(r -> text.append(r).append('\n'));
        text.append('\n');
        rows.forEach(System.out::println);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** req/s, p50, p95, p99 and errors (other than 503s... which count too) of a closed-loop run. */
    static String cells(ClosedLoop.Run r) {
        return String.format("%.0f | %.2f | %.2f | %.2f | %d", r.rps(), r.lat().percentileMs(50), r.lat().percentileMs(95),
                             r.lat().percentileMs(99), r.lat().errors.sum() + r.lat().rejected.sum());
    }

    static String usage(String who, Proc before, Proc after) {
        return String.format("%s: CPU %.1f s, RSS %d MB (peak %d MB).", who, after.cpuSeconds() - before.cpuSeconds(),
                             after.rssMb(), after.peakRssMb());
    }
}
