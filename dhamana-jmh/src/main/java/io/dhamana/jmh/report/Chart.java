package io.dhamana.jmh.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SVG line chart with no dependencies: side-by-side panels sharing a logarithmic y axis (holds per second span
 * four orders of magnitude between PostgreSQL and the in-process engine) and a base-2 logarithmic x axis (1 to 64).
 */
public final class Chart {
    private static final int PANEL_W = 250;
    private static final int PANEL_H = 250;
    private static final int GAP = 22;
    private static final int LEFT = 64;
    private static final int TOP = 58;
    private static final int LEGEND_COLUMN = 360;

    /** One line: points as (x, y); a flat series is drawn dashed. */
    public record Curve(Series series, List<double[]> points) {}

    /** One panel with its own title. */
    public record Panel(String title, List<Curve> curves) {}

    private Chart() {}

    /**
     * Renders the chart.
     *
     * @param xs      the x values to mark (for example the bucket counts), ascending, all positive
     * @param legend  the series to list under the panels
     */
    public static String svg(String title, String subtitle, String xLabel, String yLabel, List<Integer> xs,
                             List<Panel> panels, List<Series> legend) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Panel p : panels) {
            for (Curve c : p.curves()) {
                for (double[] xy : c.points()) {
                    if (xy[1] > 0 && !Double.isNaN(xy[1])) {
                        lo = Math.min(lo, xy[1]);
                        hi = Math.max(hi, xy[1]);
                    }
                }
            }
        }
        if (hi == 0) {
            lo = 1;
            hi = 10;
        }
        int decLo = (int) Math.floor(Math.log10(lo));
        int decHi = (int) Math.ceil(Math.log10(hi));
        if (decHi == decLo) {
            decHi++;
        }
        double xMin = Math.log(xs.get(0)) / Math.log(2);
        double xMax = Math.log(xs.get(xs.size() - 1)) / Math.log(2);
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        int n = Math.max(1, panels.size());
        int width = Math.max(LEFT + n * PANEL_W + (n - 1) * GAP + 24, LEFT + 2 * LEGEND_COLUMN);
        int legendRows = (legend.size() + 1) / 2;
        int height = TOP + PANEL_H + 52 + legendRows * 20 + 12;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">%n", width,
                height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"37\" fill=\"#555\">%s</text>%n", LEFT,
                esc(subtitle)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\""
                + " fill=\"#333\">%s</text>%n", TOP + PANEL_H / 2, esc(yLabel)));

        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            int x0 = LEFT + i * (PANEL_W + GAP);
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">"
                    + "%s</text>%n", x0 + PANEL_W / 2, TOP - 6, esc(p.title())));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                    + " stroke=\"#999\"/>%n", x0, TOP, PANEL_W, PANEL_H));
            for (int d = decLo; d <= decHi; d++) {
                double y = yPos(Math.pow(10, d), decLo, decHi);
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
                        + " stroke=\"#e3e3e3\"/>%n", x0, x0 + PANEL_W, y, y));
                if (i == 0) {
                    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">%s"
                            + "</text>%n", x0 - 5, y + 4, decade(d)));
                }
            }
            for (int x : xs) {
                double px = xPos(x, x0, xMin, xMax);
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\""
                        + " stroke=\"#f0f0f0\"/>%n", px, px, TOP, TOP + PANEL_H));
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%d"
                        + "</text>%n", px, TOP + PANEL_H + 15, x));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%s"
                    + "</text>%n", x0 + PANEL_W / 2, TOP + PANEL_H + 32, esc(xLabel)));
            for (Curve c : p.curves()) {
                s.append(curve(c, x0, xMin, xMax, decLo, decHi));
            }
        }
        int ly = TOP + PANEL_H + 56;
        for (int i = 0; i < legend.size(); i++) {
            Series se = legend.get(i);
            int lx = LEFT + (i % 2) * LEGEND_COLUMN;
            int yy = ly + (i / 2) * 20;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
                    + " stroke-width=\"2.5\"%s/>%n", lx, lx + 26, yy - 4, yy - 4, se.color(),
                    se.flat() ? " stroke-dasharray=\"5,3\"" : ""));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 32, yy, esc(se.label())));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String curve(Curve c, int x0, double xMin, double xMax, int decLo, int decHi) {
        List<double[]> pts = new ArrayList<>();
        for (double[] xy : c.points()) {
            if (xy[1] > 0 && !Double.isNaN(xy[1])) {
                pts.add(new double[]{xPos(xy[0], x0, xMin, xMax), yPos(xy[1], decLo, decHi)});
            }
        }
        if (pts.isEmpty()) {
            return "";
        }
        String color = c.series().color();
        StringBuilder s = new StringBuilder();
        StringBuilder poly = new StringBuilder();
        for (double[] p : pts) {
            poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", p[0], p[1]));
        }
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s>"
                + "<title>%s</title></polyline>%n", poly.toString().trim(), color,
                c.series().flat() && pts.size() > 1 ? " stroke-dasharray=\"5,3\"" : "", esc(c.series().label())));
        for (double[] p : pts) {
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.8\" fill=\"%s\"/>%n", p[0], p[1],
                    color));
        }
        return s.toString();
    }

    private static double xPos(double x, int x0, double xMin, double xMax) {
        double lx = Math.log(x) / Math.log(2);
        return x0 + 14 + (lx - xMin) / (xMax - xMin) * (PANEL_W - 28);
    }

    private static double yPos(double v, int decLo, int decHi) {
        double f = (Math.log10(v) - decLo) / (decHi - decLo);
        return TOP + PANEL_H - f * PANEL_H;
    }

    private static String decade(int d) {
        return switch (d) {
            case 0 -> "1";
            case 1 -> "10";
            case 2 -> "100";
            case 3 -> "1k";
            case 4 -> "10k";
            case 5 -> "100k";
            case 6 -> "1M";
            case 7 -> "10M";
            case 8 -> "100M";
            default -> "1e" + d;
        };
    }

    private static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
