package io.zerorl.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** A fake training run directory shaped like the trainer's output: metrics over N steps, samples, recipe, evals. */
public final class SyntheticRun {
    /** A completion that must come out escaped, never as markup. */
    public static final String EVIL = "<think>2 < 3 && 5 > 4</think><answer><script>alert('x')</script></answer>";

    private SyntheticRun() {}

    public static Path write(Path dir, int steps) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(7);
        StringBuilder m = new StringBuilder();
        for (int s = 1; s <= steps; s++) {
            double p = (double) s / steps;
            double acc = clamp(0.1 + 0.6 * p + 0.05 * rnd.nextGaussian());
            double fmt = clamp(0.3 + 0.65 * Math.sqrt(p) + 0.03 * rnd.nextGaussian());
            m.append(String.format(Locale.ROOT, "{\"step\":%d,\"reward\":%.4f,\"reward_std\":%.4f,"
                            + "\"rewards/math_accuracy/mean\":%.4f,\"rewards/math_accuracy/std\":0.4,"
                            + "\"rewards/format/mean\":%.4f,\"rewards/format/std\":0.3,\"advantages/mean\":0.0,"
                            + "\"kl\":%.5f,\"entropy\":%.4f,\"clip_ratio/low_mean\":%.4f,\"clip_ratio/high_mean\":%.4f,"
                            + "\"clip_ratio/region_mean\":%.4f,\"completions/mean_length\":%.1f,\"completions/max_length\":%d,"
                            + "\"completions/clipped_ratio\":%.3f,\"frac_reward_zero_std\":%.3f,\"learning_rate\":1e-6,"
                            + "\"grad_norm\":%.3f,\"loss\":%.4f,\"tokens_per_s/rollout\":%.1f,\"tokens_per_s/train\":%.1f,"
                            + "\"time/generate_s\":%.2f,\"time/score_s\":0.05,\"time/train_s\":%.2f,\"memory/rss_mb\":%.0f",
                    s, acc + 0.2 * fmt, 0.3 + 0.05 * rnd.nextDouble(), acc, fmt, 0.002 * s * (1 + 0.1 * rnd.nextGaussian()),
                    1.8 - 0.8 * p, 0.01 * rnd.nextDouble(), 0.02 * rnd.nextDouble(), 0.025 * rnd.nextDouble(),
                    120 + 200 * p, 256 + (int) (200 * p), 0.1 * p, 0.5 - 0.3 * p, 0.5 + rnd.nextDouble(),
                    0.1 * rnd.nextGaussian(), 800 + 50 * rnd.nextDouble(), 400 + 20 * rnd.nextDouble(), 3 + p,
                    2 + p, 900 + 2.0 * s));
            if (s % 10 == 0) {
                m.append(String.format(Locale.ROOT, ",\"eval/gsm8k/pass@1\":%.3f,\"eval/math500/pass@1\":%.3f",
                        0.2 + 0.4 * p, 0.1 + 0.2 * p));
            }
            m.append("}\n");
        }
        Files.writeString(dir.resolve("metrics.jsonl"), m, StandardCharsets.UTF_8);

        StringBuilder smp = new StringBuilder();
        for (int s : new int[] {1, 10, steps}) {
            for (int i = 0; i < 6; i++) {
                String completion = s == 1 && i == 0 ? EVIL
                        : "<think>step " + s + " sample " + i + ": 6 * 7 = 42</think><answer>" + (s == steps ? 42 : i) + "</answer>";
                smp.append(String.format(Locale.ROOT,
                        "{\"step\":%d,\"prompt\":\"Q%d: what is 6*7? Put the answer in <answer></answer>.\","
                                + "\"completion\":%s,\"rewards\":{\"math_accuracy\":%.1f,\"format\":1.0},\"total\":%.1f}\n",
                        s, i, json(completion), s == steps ? 1.0 : 0.0, s == steps ? 1.2 : 0.2));
            }
        }
        Files.writeString(dir.resolve("samples.jsonl"), smp, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("recipe.yaml"), """
                model: qwen3moe-tiny
                dataset: gsm8k
                rewards:
                  - {name: math_accuracy, weight: 1.0}
                  - {name: format, weight: 0.2}
                grpo: {group_size: 8, beta: 0.04, epsilon: 0.2, epsilon_high: 0.28}
                """, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("eval_before.json"),
                "{\"gsm8k\": {\"pass@1\": 0.21, \"n\": 1319}, \"math500\": {\"pass@1\": 0.1}}");
        Files.writeString(dir.resolve("eval_after.json"),
                "{\"gsm8k\": {\"pass@1\": 0.58, \"n\": 1319}, \"math500\": {\"pass@1\": 0.29}}");
        return dir;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
