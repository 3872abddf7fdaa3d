package io.zerorl.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A quickstart-like run: noisy per-step accuracy of 8 prompts a step, and held-out evaluations before and after. */
class SmoothedChartsTest {
    static Path quickstartLikeRun(Path dir, int steps) throws Exception {
        Random rnd = new Random(3);
        StringBuilder m = new StringBuilder();
        for (int s = 1; s <= steps; s++) {
            double p = 0.3 + 0.6 * s / steps;
            int right = 0;
            for (int i = 0; i < 64; i++) {
                right += rnd.nextDouble() < p ? 1 : 0;
            }
            double acc = right / 64.0;
            m.append(String.format(Locale.ROOT, "{\"step\":%d,\"reward\":%.4f,\"rewards/math_accuracy/mean\":%.4f,"
                    + "\"rewards/format/mean\":1.0,\"loss\":0.01}%n", s, acc + 0.25, acc));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("metrics.jsonl"), m);
        Files.writeString(dir.resolve("eval_before.json"), "{\"sums\": {\"pass@1\": 0.31, \"answer_format\": 1.0}}");
        Files.writeString(dir.resolve("eval_after.json"), "{\"sums\": {\"pass@1\": 0.93, \"answer_format\": 1.0}}");
        return dir;
    }

    @Test
    void perStepCurvesGetAMovingAverageAndTheAccuracyChartTheHeldOutEvaluations(@TempDir Path tmp) throws Exception {
        RunData run = RunData.read(quickstartLikeRun(tmp.resolve("run"), 150));
        Charts.Chart reward = Charts.plan(run).stream().filter(c -> c.name().equals("reward")).findFirst().orElseThrow();
        Charts.Chart accuracy = Charts.plan(run).stream().filter(c -> c.name().equals("accuracy")).findFirst().orElseThrow();
        assertThat(reward.smoothed()).isTrue();
        assertThat(reward.caption()).contains("moving average");
        assertThat(accuracy.smoothed()).isTrue();
        assertThat(accuracy.marks()).hasSize(1);
        RunData.Series held = accuracy.marks().get(0);
        assertThat(held.label()).isEqualTo("held-out sums pass@1");
        assertThat(held.x()).containsExactly(0, 150);
        assertThat(held.y()).containsExactly(0.31, 0.93);
        assertThat(accuracy.caption()).contains("held-out accuracy before and after");
        assertThat(Charts.png(accuracy)).isNotEmpty();
        assertThat(Charts.png(reward)).isNotEmpty();
        // the moving average is much less noisy than the steps and ends near the trend's end (0.9)
        RunData.Series raw = accuracy.series().get(0);
        RunData.Series ema = raw.smoothed(Charts.SMOOTHING);
        assertThat(roughness(ema.y())).isLessThan(roughness(raw.y()) / 3);
        assertThat(ema.y()[ema.y().length - 1]).isCloseTo(0.88, within(0.05));
    }

    @Test
    void theMovingAverageStartsAtTheFirstValueAndKeepsAConstant() {
        RunData.Series s = new RunData.Series("x", new double[] {1, 2, 3, 4}, new double[] {0.5, 0.5, 0.5, 0.5});
        assertThat(s.smoothed(0.9).y()).containsExactly(new double[] {0.5, 0.5, 0.5, 0.5}, within(1e-12));
        RunData.Series step = new RunData.Series("x", new double[] {1, 2}, new double[] {1, 0});
        assertThat(step.smoothed(0.9).y()[0]).isEqualTo(1.0);
        assertThat(step.smoothed(0.9).y()[1]).isCloseTo(0.9 * 0.1 / (1 - 0.81), within(1e-12));
    }

    @Test
    void aShortRunKeepsItsPointsUnsmoothed(@TempDir Path tmp) throws Exception {
        RunData run = RunData.read(quickstartLikeRun(tmp.resolve("run"), 12));
        Charts.Chart accuracy = Charts.plan(run).stream().filter(c -> c.name().equals("accuracy")).findFirst().orElseThrow();
        assertThat(accuracy.smoothed()).isFalse();
        assertThat(accuracy.marks()).hasSize(1); // the evaluations are still marked
        assertThat(Charts.png(accuracy)).isNotEmpty();
    }

    private static double roughness(double[] y) {
        double s = 0;
        for (int i = 1; i < y.length; i++) {
            s += Math.abs(y[i] - y[i - 1]);
        }
        return s / (y.length - 1);
    }
}
