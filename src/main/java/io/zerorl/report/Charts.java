package io.zerorl.report;

import io.zerorl.report.RunData.Series;
import io.zerorl.run.MetricNames;
import io.zerorl.util.ZerorlException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report's charts: which metrics each one plots, and rendering to PNG with XChart in headless AWT.
 * The first six are always listed (an absent metric gives a "not logged" note instead of an image);
 * the others appear only when the run logged their keys.
 */
public final class Charts {
    public static final int WIDTH = 800;
    public static final int HEIGHT = 400;

    /** Weight of the moving average drawn over per-step values (TensorBoard's smoothing slider, 0 = none). */
    public static final double SMOOTHING = 0.9;

    /**
     * A chart to draw: file stem, title, what it shows, and the series (empty: {@code note} says why).
     *
     * @param smoothed draw each series as a thin line of its per-step values under its moving average
     * @param marks    single points drawn as large markers over the lines (held-out evaluations before and after)
     */
    public record Chart(String name, String title, String yLabel, String caption, List<Series> series,
                        boolean markers, String note, boolean smoothed, List<Series> marks) {
        public Chart(String name, String title, String yLabel, String caption, List<Series> series, boolean markers,
                     String note) {
            this(name, title, yLabel, caption, series, markers, note, false, List.of());
        }

        public String file() {
            return name + ".png";
        }

        public boolean drawable() {
            return series.stream().anyMatch(s -> !s.isEmpty());
        }
    }

    /** Line colours of the smoothed charts (XChart's default theme's first colours), one per series. */
    private static final Color[] PALETTE = {new Color(0, 55, 255), new Color(255, 172, 0), new Color(128, 255, 0),
        new Color(255, 0, 38), new Color(168, 0, 255), new Color(0, 255, 200)};

    private Charts() {}

    /** Correctness-type reward functions, used for the accuracy chart when no eval was logged. */
    static boolean isAccuracyReward(String fn) {
        String f = fn.toLowerCase(Locale.ROOT);
        return f.contains("accuracy") || f.contains("correct") || f.equals("countdown") || f.equals("code");
    }

    public static List<Chart> plan(RunData run) {
        List<Chart> charts = new ArrayList<>();

        List<Series> rewards = new ArrayList<>();
        Map<String, String> perFunction = run.keysLike(MetricNames.REWARDS_PREFIX, "/mean");
        Series total = run.series(MetricNames.REWARD, "total (weighted)");
        // one function whose mean is the total (weight 1): a second, identical line would only hide the first
        boolean sameAsTotal = perFunction.size() == 1 && java.util.Arrays.equals(total.y(),
                run.series(perFunction.values().iterator().next(), "").y());
        if (!total.isEmpty() && !sameAsTotal) {
            rewards.add(total);
        }
        perFunction.forEach((fn, key) -> rewards.add(run.series(key, fn)));
        charts.add(smooth(chart(run, "reward", "Reward per function", "mean reward",
                "Mean reward of the batch's completions: the weighted total and each reward function.",
                rewards, false, "reward, rewards/<fn>/mean"), List.of()));

        Map<String, String> evals = run.keysLike(MetricNames.EVAL_PREFIX, "/pass@1");
        List<Series> acc = new ArrayList<>();
        String accCaption;
        if (!evals.isEmpty()) {
            evals.forEach((bench, key) -> acc.add(run.series(key, bench + " pass@1")));
            accCaption = "pass@1 on the evaluation benchmarks, at the steps where the trainer evaluated.";
        } else {
            run.keysLike(MetricNames.REWARDS_PREFIX, "/mean").forEach((fn, key) -> {
                if (isAccuracyReward(fn)) {
                    acc.add(run.series(key, fn));
                }
            });
            accCaption = "No eval/<benchmark>/pass@1 logged: training accuracy from the correctness reward(s) instead.";
        }
        Chart accuracy = chart(run, "accuracy", "Accuracy", "accuracy", accCaption, acc, !evals.isEmpty(),
                "eval/<benchmark>/pass@1 or rewards/<accuracy fn>/mean");
        charts.add(evals.isEmpty() ? smooth(accuracy, heldOut(run, accuracy)) : accuracy);

        charts.add(chart(run, "kl", "KL divergence to the reference policy", "KL",
                "Mean per-token KL estimate between the policy and the reference model.",
                seriesOf(run, MetricNames.KL, "kl"), false, "kl"));
        charts.add(chart(run, "completion_length", "Completion length", "tokens",
                "Mean and longest completion length in tokens (R1-Zero runs typically grow it).",
                seriesOf(run, MetricNames.MEAN_LENGTH, "mean", MetricNames.MAX_LENGTH, "max"), false,
                "completions/mean_length"));
        charts.add(chart(run, "clip_fraction", "Clipped ratio fraction", "fraction of tokens",
                "Share of tokens whose importance ratio was clipped: below 1-eps (low), above 1+eps (high), either (region).",
                seriesOf(run, MetricNames.CLIP_LOW, "low", MetricNames.CLIP_HIGH, "high",
                        MetricNames.CLIP_REGION, "region"), false, "clip_ratio/*_mean"));
        charts.add(chart(run, "entropy", "Policy entropy", "nats per token",
                "Mean token entropy of the policy on its own completions.",
                seriesOf(run, MetricNames.ENTROPY, "entropy"), false, "entropy"));

        optional(charts, run, "truncated", "Completions cut at the length limit", "fraction",
                "Share of completions that hit max_completion_length.",
                MetricNames.CLIPPED_RATIO, "truncated");
        optional(charts, run, "reward_spread", "Reward spread within groups", "value",
                "Std of rewards, and the share of groups whose rewards are all equal (no learning signal).",
                MetricNames.REWARD_STD, "reward std", MetricNames.FRAC_REWARD_ZERO_STD, "groups with zero std");
        optional(charts, run, "loss", "Loss", "loss", "Training loss (policy loss plus KL term).", MetricNames.LOSS, "loss");
        optional(charts, run, "grad_norm", "Gradient norm", "global L2 norm", "Global gradient norm before clipping.",
                MetricNames.GRAD_NORM, "grad norm");
        optional(charts, run, "learning_rate", "Learning rate", "lr", "Learning rate schedule.",
                MetricNames.LEARNING_RATE, "lr");
        optional(charts, run, "throughput", "Throughput", "tokens/s", "Tokens per second in rollout and training.",
                MetricNames.ROLLOUT_TOKENS_PER_S, "rollout", MetricNames.TRAIN_TOKENS_PER_S, "train");
        optional(charts, run, "time", "Time per step", "seconds", "Wall time per step spent generating, scoring, training.",
                MetricNames.GENERATE_S, "generate", MetricNames.SCORE_S, "score", MetricNames.TRAIN_S, "train");
        optional(charts, run, "memory", "Memory", "MB", "Resident set size of the training process.",
                MetricNames.RSS_MB, "RSS");
        return charts;
    }

    /**
     * Per-step values of a small batch are mostly noise: with more than 20 points the chart shows them thin, under
     * their moving average, as training dashboards do, and the caption says so. {@code marks} are drawn on top.
     */
    private static Chart smooth(Chart c, List<Series> marks) {
        boolean smoothed = c.drawable() && !fewPoints(c.series());
        if (!smoothed && marks.isEmpty()) {
            return c;
        }
        String caption = c.caption() + (smoothed ? String.format(Locale.ROOT, " Thin lines: each step; thick lines:"
                + " exponential moving average (weight %.1f).", SMOOTHING) : "")
                + (marks.isEmpty() ? "" : " Large markers: held-out accuracy before and after training.");
        return new Chart(c.name(), c.title(), c.yLabel(), caption, c.series(), c.markers(), c.note(), smoothed, marks);
    }

    /**
     * The held-out evaluations of a run that has them ({@code eval_before.json}, {@code eval_after.json}): each
     * benchmark's pass@1 before training at step 0 and after it at the last step.
     */
    private static List<Series> heldOut(RunData run, Chart accuracy) {
        if (!accuracy.drawable()) {
            return List.of();
        }
        double last = accuracy.series().stream().mapToDouble(s -> s.x()[s.x().length - 1]).max().orElse(0);
        Set<String> benchmarks = new TreeSet<>(run.evalBefore().keySet());
        benchmarks.addAll(run.evalAfter().keySet());
        List<Series> out = new ArrayList<>();
        for (String b : benchmarks) {
            List<double[]> points = new ArrayList<>();
            Double before = run.evalBefore().getOrDefault(b, Map.of()).get("pass@1");
            Double after = run.evalAfter().getOrDefault(b, Map.of()).get("pass@1");
            if (before != null) {
                points.add(new double[] {0, before});
            }
            if (after != null) {
                points.add(new double[] {last, after});
            }
            if (!points.isEmpty()) {
                out.add(new Series("held-out " + b + " pass@1",
                        points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray()));
            }
        }
        return out;
    }

    private static Chart chart(RunData run, String name, String title, String yLabel, String caption,
                               List<Series> series, boolean markers, String keys) {
        List<Series> present = series.stream().filter(s -> !s.isEmpty()).toList();
        String note = present.isEmpty() ? "Not in metrics.jsonl (" + keys + ")." : null;
        return new Chart(name, title, yLabel, caption, present, markers || fewPoints(present), note);
    }

    private static void optional(List<Chart> charts, RunData run, String name, String title, String yLabel,
                                 String caption, String... keysAndLabels) {
        List<Series> s = seriesOf(run, keysAndLabels);
        if (!s.isEmpty()) {
            charts.add(new Chart(name, title, yLabel, caption, s, fewPoints(s), null));
        }
    }

    private static List<Series> seriesOf(RunData run, String... keysAndLabels) {
        List<Series> out = new ArrayList<>();
        for (int i = 0; i < keysAndLabels.length; i += 2) {
            Series s = run.series(keysAndLabels[i], keysAndLabels[i + 1]);
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean fewPoints(List<Series> series) {
        return series.stream().allMatch(s -> s.x().length <= 20);
    }

    /** "0.##..." with enough decimals for the data's range, so axis labels keep a leading zero and stay distinct. */
    static String decimalPattern(List<Series> series, boolean xAxis) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : xAxis ? s.x() : s.y()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double span = max - min;
        if (!(span > 0)) {
            span = Math.abs(max) > 0 ? Math.abs(max) : 1;
        }
        int decimals = (int) Math.max(0, Math.min(12, Math.ceil(-Math.log10(span)) + 2));
        return decimals == 0 ? "0" : "0." + "#".repeat(decimals);
    }

    /** Renders a drawable chart to PNG bytes ({@link #WIDTH} x {@link #HEIGHT}). */
    public static byte[] png(Chart c) {
        System.setProperty("java.awt.headless", "true");
        try {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(c.title())
                    .xAxisTitle("step").yAxisTitle(c.yLabel()).build();
            var st = chart.getStyler();
            st.setChartBackgroundColor(Color.WHITE);
            st.setPlotBackgroundColor(Color.WHITE);
            st.setPlotBorderVisible(false);
            st.setPlotGridLinesColor(new Color(0xE0E0E0));
            st.setLegendPosition(Styler.LegendPosition.OutsideS);
            st.setLegendLayout(Styler.LegendLayout.Horizontal);
            st.setLegendBorderColor(Color.WHITE);
            st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            st.setMarkerSize(6);
            st.setAntiAlias(true);
            // XChart's default pattern prints ".08"; a formatting function would change its tick spacing
            st.setLocale(Locale.ROOT);
            List<Series> all = new ArrayList<>(c.series());
            all.addAll(c.marks());
            st.setYAxisDecimalPattern(decimalPattern(all, false));
            st.setXAxisDecimalPattern(decimalPattern(all, true));
            st.setLegendVisible(c.series().size() + c.marks().size() > 1);
            for (int i = 0; i < c.series().size(); i++) {
                Series s = c.series().get(i);
                if (!c.smoothed()) {
                    XYSeries xy = chart.addSeries(s.label(), s.x(), s.y());
                    if (!c.markers()) {
                        xy.setMarker(SeriesMarkers.NONE);
                    }
                    continue;
                }
                Color color = PALETTE[i % PALETTE.length];
                XYSeries raw = chart.addSeries(s.label() + " (each step)", s.x(), s.y());
                raw.setMarker(SeriesMarkers.NONE).setLineColor(new Color(color.getRed(), color.getGreen(),
                        color.getBlue(), 70)).setLineWidth(1f).setShowInLegend(false);
                Series ema = s.smoothed(SMOOTHING);
                chart.addSeries(s.label(), ema.x(), ema.y()).setMarker(SeriesMarkers.NONE).setLineColor(color)
                        .setLineWidth(2.5f);
            }
            for (Series m : c.marks()) {
                XYSeries xy = chart.addSeries(m.label(), m.x(), m.y());
                xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                xy.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(Color.BLACK);
            }
            if (!c.marks().isEmpty()) {
                st.setMarkerSize(11);
            }
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException | RuntimeException | LinkageError e) {
            // typically a JDK without fonts (fontconfig): headless AWT cannot draw text
            throw new ZerorlException("Cannot render chart '" + c.name() + "': " + e
                    + " (headless Java needs fontconfig and a font, e.g. apt-get install fontconfig fonts-dejavu-core)", e);
        }
    }
}
