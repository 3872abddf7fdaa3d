package io.zerorl.report;

import io.zerorl.report.Charts.Chart;
import io.zerorl.report.RunData.Sample;
import io.zerorl.report.RunData.Step;
import io.zerorl.run.MetricNames;

import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Builds the single self-contained HTML page: inline CSS, charts as data URIs, no scripts, no external assets. */
final class HtmlReport {
    /** Completions longer than this are cut in the page (the full text stays in samples.jsonl). */
    static final int MAX_TEXT = 3000;

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;
            max-width:1100px;padding:0 16px;color:#1d2330;background:#fff;line-height:1.45}
            h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:2px solid #e3e6ec;padding-bottom:4px}
            .meta{color:#5b6472;margin:0 0 16px}.warn{background:#fff6e0;border-left:4px solid #e0a800;padding:8px 12px}
            table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #d9dde5;padding:4px 10px;text-align:left;
            vertical-align:top}th{background:#f3f5f9}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .up{color:#17803d}.down{color:#b42318}
            .cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}.card{border:1px solid #d9dde5;border-radius:8px;
            padding:10px 16px;min-width:150px}.card .v{font-size:1.6em;font-weight:600}.card .l{color:#5b6472;font-size:.9em}
            figure{margin:16px 0 24px}figure img{max-width:100%;height:auto;border:1px solid #e3e6ec}
            figcaption{color:#5b6472;font-size:.92em}.missing{color:#8a93a3;font-style:italic}
            pre{background:#f6f8fa;border:1px solid #e3e6ec;padding:8px;white-space:pre-wrap;word-break:break-word;
            max-height:420px;overflow:auto;margin:0;font-size:.85em}
            table.samples{width:100%;table-layout:fixed}table.samples td{font-size:.9em}
            """;

    private HtmlReport() {}

    static String render(RunData run, List<Chart> charts, Map<String, byte[]> pngs, int samplesPerPhase,
                         String generated) {
        StringBuilder h = new StringBuilder(64 * 1024);
        String name = run.runDir().toAbsolutePath().normalize().getFileName() == null ? run.runDir().toString()
                : run.runDir().toAbsolutePath().normalize().getFileName().toString();
        List<Step> steps = run.steps();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>zerorl report: ").append(esc(name)).append("</title>\n<style>").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>zerorl training report</h1>\n<p class=\"meta\">run <code>")
                .append(esc(run.runDir().toAbsolutePath().normalize().toString())).append("</code> &middot; ")
                .append(steps.size()).append(" logged steps (step ").append(fmtStep(steps.get(0).step()))
                .append(" to ").append(fmtStep(steps.get(steps.size() - 1).step())).append(") &middot; generated ")
                .append(esc(generated)).append("</p>\n");
        if (!run.warnings().isEmpty()) {
            h.append("<div class=\"warn\"><ul>");
            run.warnings().forEach(w -> h.append("<li>").append(esc(w)).append("</li>"));
            h.append("</ul></div>\n");
        }

        headline(h, run);

        h.append("<h2 id=\"charts\">Charts</h2>\n");
        for (Chart c : charts) {
            h.append("<figure id=\"chart-").append(esc(c.name())).append("\">\n");
            byte[] png = pngs.get(c.name());
            if (png != null) {
                h.append("<img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
                        .append("\" width=\"").append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT)
                        .append("\" alt=\"").append(esc(c.title())).append("\">\n<figcaption>")
                        .append(esc(c.caption())).append(" <code>").append(esc(c.file())).append("</code></figcaption>\n");
            } else {
                h.append("<h3>").append(esc(c.title())).append("</h3>\n<p class=\"missing\">")
                        .append(esc(c.note())).append("</p>\n");
            }
            h.append("</figure>\n");
        }

        samples(h, run.samples(), samplesPerPhase);

        h.append("<h2 id=\"recipe\">Recipe</h2>\n");
        if (run.recipe() == null) {
            h.append("<p class=\"missing\">No recipe.yaml in the run directory.</p>\n");
        } else {
            h.append("<pre>").append(esc(run.recipe())).append("</pre>\n");
        }

        lastValues(h, run);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void headline(StringBuilder h, RunData run) {
        h.append("<h2 id=\"headline\">Headline numbers</h2>\n<div class=\"cards\">\n");
        RunData.Series reward = run.series(MetricNames.REWARD, "reward");
        if (!reward.isEmpty()) {
            int n = reward.y().length;
            int k = Math.max(1, n / 10);
            card(h, fmt(reward.y()[0]), "reward at step " + fmtStep(reward.x()[0]));
            card(h, fmt(reward.y()[n - 1]), "reward at step " + fmtStep(reward.x()[n - 1]));
            card(h, fmt(mean(reward.y(), 0, k)) + " &rarr; " + fmt(mean(reward.y(), n - k, n)),
                    "mean reward, first vs last " + k + " step" + (k == 1 ? "" : "s"));
        } else {
            card(h, "&ndash;", "no \"reward\" in metrics.jsonl");
        }
        card(h, String.valueOf(run.steps().size()), "logged steps");
        h.append("</div>\n");

        h.append("<h3>Evaluation</h3>\n");
        if (!run.evalBefore().isEmpty() || !run.evalAfter().isEmpty()) {
            h.append("<table><tr><th>benchmark</th><th>metric</th><th>before</th><th>after</th><th>change</th></tr>\n");
            Set<String> benches = new TreeSet<>(run.evalBefore().keySet());
            benches.addAll(run.evalAfter().keySet());
            for (String b : benches) {
                Map<String, Double> before = run.evalBefore().getOrDefault(b, Map.of());
                Map<String, Double> after = run.evalAfter().getOrDefault(b, Map.of());
                Set<String> metrics = new LinkedHashSet<>(before.keySet());
                metrics.addAll(after.keySet());
                for (String m : metrics) {
                    evalRow(h, b, m, before.get(m), after.get(m));
                }
            }
            h.append("</table>\n");
            h.append("<p class=\"meta\">From eval_before.json / eval_after.json.</p>\n");
        } else {
            Map<String, String> evals = run.keysLike(MetricNames.EVAL_PREFIX, "/pass@1");
            if (evals.isEmpty()) {
                h.append("<p class=\"missing\">No evaluation: no eval_before.json / eval_after.json and no "
                        + "eval/&lt;benchmark&gt;/pass@1 in metrics.jsonl.</p>\n");
            } else {
                h.append("<table><tr><th>benchmark</th><th>metric</th><th>first eval</th><th>last eval</th><th>change</th></tr>\n");
                evals.forEach((b, key) -> {
                    RunData.Series s = run.series(key, b);
                    evalRow(h, b, "pass@1 (steps " + fmtStep(s.x()[0]) + " / " + fmtStep(s.x()[s.x().length - 1]) + ")",
                            s.y()[0], s.y()[s.y().length - 1]);
                });
                h.append("</table>\n<p class=\"meta\">From the eval steps logged in metrics.jsonl.</p>\n");
            }
        }
    }

    private static void evalRow(StringBuilder h, String bench, String metric, Double before, Double after) {
        h.append("<tr><td>").append(esc(bench)).append("</td><td>").append(esc(metric)).append("</td><td class=\"num\">")
                .append(before == null ? "&ndash;" : fmt(before)).append("</td><td class=\"num\">")
                .append(after == null ? "&ndash;" : fmt(after)).append("</td><td class=\"num\">");
        if (before != null && after != null) {
            double d = after - before;
            h.append("<span class=\"").append(d > 0 ? "up" : d < 0 ? "down" : "").append("\">")
                    .append(d > 0 ? "+" : "").append(fmt(d)).append("</span>");
        } else {
            h.append("&ndash;");
        }
        h.append("</td></tr>\n");
    }

    private static void card(StringBuilder h, String valueHtml, String label) {
        h.append("<div class=\"card\"><div class=\"v\">").append(valueHtml).append("</div><div class=\"l\">")
                .append(esc(label)).append("</div></div>\n");
    }

    private static void samples(StringBuilder h, List<Sample> samples, int perPhase) {
        h.append("<h2 id=\"samples\">Completions: early vs late</h2>\n");
        if (samples.isEmpty()) {
            h.append("<p class=\"missing\">No samples.jsonl in the run directory.</p>\n");
            return;
        }
        double first = samples.stream().mapToDouble(Sample::step).filter(Double::isFinite).min().orElse(Double.NaN);
        double last = samples.stream().mapToDouble(Sample::step).filter(Double::isFinite).max().orElse(Double.NaN);
        if (Double.isNaN(first)) {
            sampleTable(h, "Samples (no step recorded)", samples, perPhase);
            return;
        }
        sampleTable(h, "Early: step " + fmtStep(first), samples.stream().filter(s -> s.step() == first).toList(), perPhase);
        if (last != first) {
            sampleTable(h, "Late: step " + fmtStep(last), samples.stream().filter(s -> s.step() == last).toList(), perPhase);
        }
    }

    private static void sampleTable(StringBuilder h, String title, List<Sample> rows, int perPhase) {
        h.append("<h3>").append(esc(title)).append(" (").append(Math.min(perPhase, rows.size())).append(" of ")
                .append(rows.size()).append(")</h3>\n<table class=\"samples\"><colgroup><col style=\"width:28%\">"
                        + "<col style=\"width:50%\"><col style=\"width:22%\"></colgroup>\n"
                        + "<tr><th>prompt</th><th>completion</th><th>rewards</th></tr>\n");
        for (Sample s : rows.subList(0, Math.min(perPhase, rows.size()))) {
            h.append("<tr><td><pre>").append(esc(cut(s.prompt()))).append("</pre></td><td><pre>")
                    .append(esc(cut(s.completion()))).append("</pre></td><td>");
            if (s.total() != null) {
                h.append("<b>total ").append(fmt(s.total())).append("</b><br>");
            }
            s.rewards().forEach((fn, v) -> h.append(esc(fn)).append(": ").append(v == null ? "n/a" : fmt(v)).append("<br>"));
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void lastValues(StringBuilder h, RunData run) {
        h.append("<h2 id=\"metrics\">Every metric: first and last logged value</h2>\n")
                .append("<table><tr><th>key</th><th>first</th><th>last</th><th>steps logged</th></tr>\n");
        for (String key : run.keys()) {
            RunData.Series s = run.series(key, key);
            if (s.isEmpty()) {
                continue;
            }
            int n = s.y().length;
            h.append("<tr><td><code>").append(esc(key)).append("</code></td><td class=\"num\">").append(fmt(s.y()[0]))
                    .append("</td><td class=\"num\">").append(fmt(s.y()[n - 1])).append("</td><td class=\"num\">")
                    .append(n).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    static String cut(String s) {
        if (s.length() <= MAX_TEXT) {
            return s;
        }
        return s.substring(0, MAX_TEXT) + "\n\u2026 (" + (s.length() - MAX_TEXT) + " more characters)";
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a >= 10 && a < 1e15 && v == Math.rint(v)) {
            return String.valueOf((long) v);
        }
        if (a != 0 && (a < 1e-3 || a >= 1e6)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return String.format(Locale.ROOT, a >= 100 ? "%.1f" : "%.4f", v);
    }

    private static String fmtStep(double step) {
        return step == Math.rint(step) ? String.valueOf((long) step) : String.valueOf(step);
    }

    private static double mean(double[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += y[i];
        }
        return s / (to - from);
    }
}
