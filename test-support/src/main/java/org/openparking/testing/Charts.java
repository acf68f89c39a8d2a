package org.openparking.testing;

import java.util.List;
import java.util.Locale;

/** Minimal SVG charts written by hand (no library): grouped bars with a value axis; for the benchmarks. */
public final class Charts {
    /** One group of bars (a category) with one value per series. */
    public record Group(String label, double[] values) {
    }

    private static final String[] COLOURS = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5"};

    private Charts() {
    }

    public static String bars(String title, String unit, List<String> series, List<Group> groups) {
        int width = 720;
        int height = 360;
        int left = 70;
        int right = 20;
        int top = 50;
        int bottom = 80;
        double max = groups.stream().flatMapToDouble(g -> java.util.Arrays.stream(g.values()))
                .filter(v -> !Double.isNaN(v)).max().orElse(1);
        double scale = niceCeiling(max);
        int plotW = width - left - right;
        int plotH = height - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                left, esc(title)));
        for (int i = 0; i <= 5; i++) {
            double v = scale * i / 5;
            double y = top + plotH - plotH * i / 5.0;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, width - right, y, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    left - 6, y + 4, num(v)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
                + "text-anchor=\"middle\">%s</text>%n", top + plotH / 2, top + plotH / 2, esc(unit)));
        double groupW = (double) plotW / Math.max(1, groups.size());
        double barW = groupW * 0.7 / Math.max(1, series.size());
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            double x0 = left + g * groupW + groupW * 0.15;
            for (int k = 0; k < group.values().length; k++) {
                double v = group.values()[k];
                if (Double.isNaN(v)) {
                    continue;
                }
                double h = plotH * v / scale;
                double x = x0 + k * barW;
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        + "fill=\"%s\"><title>%s %s: %s</title></rect>%n", x, top + plotH - h, barW - 2, h,
                        COLOURS[k % COLOURS.length], esc(group.label()), esc(series.get(k)), num(v)));
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%s</text>%n",
                        x + barW / 2 - 1, top + plotH - h - 3, num(v)));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    left + g * groupW + groupW / 2, top + plotH + 18, esc(group.label())));
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                left, width - right, top + plotH, top + plotH));
        for (int k = 0; k < series.size(); k++) {
            int x = left + k * 200;
            int y = height - 24;
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 10, COLOURS[k % COLOURS.length], x + 16, y, esc(series.get(k))));
        }
        return s.append("</svg>\n").toString();
    }

    private static double niceCeiling(double max) {
        if (max <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= max) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
