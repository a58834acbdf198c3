package io.sluice.loadtest.bench;

import java.util.List;

/** A small grouped bar chart (p50 / p95 / p99 per series) as SVG, so the report needs no plotting tool. */
final class Svg {
    private static final double[] PERCENTILES = {50, 95, 99};
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};

    private Svg() {
    }

    static String latencyBars(String title, List<String> names, List<Latencies> series) {
        double max = 0;
        for (Latencies l : series) {
            max = Math.max(max, l.percentileMs(99));
        }
        int width = 80 + PERCENTILES.length * (series.size() * 50 + 30);
        int height = 300;
        int base = 250;
        StringBuilder svg = new StringBuilder()
                .append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(width).append("' height='").append(height)
                .append("' font-family='sans-serif' font-size='12'>\n")
                .append("<text x='10' y='20' font-size='14'>").append(title).append("</text>\n");
        for (int p = 0; p < PERCENTILES.length; p++) {
            int groupX = 60 + p * (series.size() * 50 + 30);
            svg.append("<text x='").append(groupX + 40).append("' y='").append(base + 20).append("'>p")
               .append((int) PERCENTILES[p]).append("</text>\n");
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).percentileMs(PERCENTILES[p]);
                int h = (int) Math.round(v / max * 200);
                int x = groupX + s * 50;
                svg.append(String.format("<rect x='%d' y='%d' width='40' height='%d' fill='%s'/>%n", x, base - h, h, COLORS[s % COLORS.length]))
                   .append(String.format("<text x='%d' y='%d'>%.1f</text>%n", x, base - h - 4, v));
            }
        }
        for (int s = 0; s < names.size(); s++) {
            svg.append(String.format("<rect x='%d' y='280' width='12' height='12' fill='%s'/><text x='%d' y='291'>%s</text>%n",
                                     60 + s * 180, COLORS[s % COLORS.length], 78 + s * 180, names.get(s)));
        }
        return svg.append("</svg>\n").toString();
    }
}
