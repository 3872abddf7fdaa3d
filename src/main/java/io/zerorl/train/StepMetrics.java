package io.zerorl.train;

import io.zerorl.rollout.Completion;
import io.zerorl.reward.Score;
import io.zerorl.run.Jsonl;
import io.zerorl.run.MetricNames;
import io.zerorl.run.RunLayout;
import io.zerorl.util.ZerorlException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step's metrics (the keys are {@link MetricNames}; names as TRL's GRPOTrainer logs where TRL has the metric) and
 * the run's two logs: {@code metrics.jsonl}, one line per step, and {@code samples.jsonl}, the first
 * {@code samples_per_step} completions of the groups trained on, with their rewards.
 */
final class StepMetrics {
    private final RunLayout run;
    private final List<String> rewardFunctions;
    private final int samplesPerStep;

    StepMetrics(RunLayout run, List<String> rewardFunctions, int samplesPerStep) {
        this.run = run;
        this.rewardFunctions = List.copyOf(rewardFunctions);
        this.samplesPerStep = samplesPerStep;
    }

    /** A fresh run starts both logs empty; a resumed one keeps the lines of steps up to {@code step}. */
    void start(boolean resumed, int step) {
        if (resumed) {
            Jsonl.truncateAfterStep(run.metrics(), step);
            Jsonl.truncateAfterStep(run.samples(), step);
            return;
        }
        try {
            Files.deleteIfExists(run.metrics());
            Files.deleteIfExists(run.samples());
        } catch (IOException e) {
            throw new ZerorlException("cannot clear the logs of the earlier run in " + run.dir() + ": " + e.getMessage(), e);
        }
    }

    /** Appends one line to metrics.jsonl. */
    void write(Map<String, Object> metrics) {
        Jsonl.append(run.metrics(), metrics);
    }

    /**
     * The metrics of one step.
     *
     * @param trainNanos time spent in the policy update
     * @param cursor     prompts drawn so far, after this step
     * @param lossScale  the fp16 loss scale, or null in float32
     */
    Map<String, Object> of(int step, GroupSampler.Sampled s, PolicyUpdate.Result u, double lr, long trainNanos,
                           long cursor, int datasetSize, int numIterations, Double lossScale) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(MetricNames.STEP, step);
        rewards(m, s.all());
        advantages(m, s.advantages());
        Map<String, Double> loss = u.lossMetrics();
        for (String k : List.of(MetricNames.KL, MetricNames.ENTROPY, MetricNames.CLIP_LOW, MetricNames.CLIP_HIGH,
                MetricNames.CLIP_REGION)) {
            m.put(k, loss.get(k));
        }
        completions(m, s.kept());
        long zero = s.all().stream().filter(GroupSampler.Group::zeroStd).count();
        m.put(MetricNames.FRAC_REWARD_ZERO_STD, (double) zero / s.all().size());
        m.put(MetricNames.LEARNING_RATE, lr);
        m.put(MetricNames.GRAD_NORM, u.gradNorm());
        m.put(MetricNames.LOSS, u.loss());
        m.put(MetricNames.ROLLOUT_TOKENS_PER_S, s.generatedTokens() / Math.max(1e-9, s.generateNanos() / 1e9));
        m.put(MetricNames.TRAIN_TOKENS_PER_S, u.trainTokens() * numIterations / Math.max(1e-9, trainNanos / 1e9));
        m.put(MetricNames.GENERATE_S, s.generateNanos() / 1e9);
        m.put(MetricNames.SCORE_S, s.scoreNanos() / 1e9);
        m.put(MetricNames.TRAIN_S, trainNanos / 1e9);
        m.put(MetricNames.RSS_MB, Memory.rssMb());
        m.put(MetricNames.HEAP_MB, Memory.heapMb());
        m.put(MetricNames.RATIO_MEAN, loss.get(MetricNames.RATIO_MEAN));
        m.put(MetricNames.NUM_TOKENS, u.numTokens());
        m.put(MetricNames.MOE_AUX_LOSS, u.auxLoss());
        m.put(MetricNames.LOSS_SCALE, lossScale);
        m.put(MetricNames.SKIPPED_STEP, u.skipped() ? 1.0 : 0.0);
        m.put(MetricNames.DAPO_ROUNDS, s.rounds());
        m.put(MetricNames.DAPO_GROUPS_KEPT, s.kept().size());
        m.put(MetricNames.DATA_CURSOR, cursor);
        m.put(MetricNames.DATA_EPOCH, cursor / datasetSize);
        return m;
    }

    /** Total reward over every group sampled (refills included), and each function's over its applicable scores. */
    private void rewards(Map<String, Object> m, List<GroupSampler.Group> all) {
        double[] totals = all.stream().flatMapToDouble(x -> Arrays.stream(x.rewards())).toArray();
        m.put(MetricNames.REWARD, mean(totals));
        m.put(MetricNames.REWARD_STD, std(totals));
        for (String fn : rewardFunctions) {
            List<Double> v = new ArrayList<>();
            for (GroupSampler.Group grp : all) {
                for (Score s : grp.perFunction().get(fn)) {
                    if (s.applicable()) {
                        v.add(s.value());
                    }
                }
            }
            double[] arr = v.stream().mapToDouble(Double::doubleValue).toArray();
            m.put(MetricNames.rewardMean(fn), arr.length == 0 ? null : mean(arr));
            m.put(MetricNames.rewardStd(fn), arr.length == 0 ? null : std(arr));
        }
    }

    private static void advantages(Map<String, Object> m, float[] adv) {
        double[] a = new double[adv.length];
        for (int i = 0; i < adv.length; i++) {
            a[i] = adv[i];
        }
        m.put(MetricNames.ADVANTAGES_MEAN, mean(a));
        m.put(MetricNames.ADVANTAGES_STD, std(a));
        m.put(MetricNames.ADVANTAGES_MIN, Arrays.stream(a).min().orElse(0));
        m.put(MetricNames.ADVANTAGES_MAX, Arrays.stream(a).max().orElse(0));
    }

    /** Lengths of the completions trained on; clipped = cut at max_new_tokens. */
    private static void completions(Map<String, Object> m, List<GroupSampler.Group> kept) {
        int count = 0;
        int truncated = 0;
        int maxLen = 0;
        long lenSum = 0;
        for (GroupSampler.Group grp : kept) {
            for (Completion c : grp.completions()) {
                count++;
                truncated += c.truncated() ? 1 : 0;
                maxLen = Math.max(maxLen, c.length());
                lenSum += c.length();
            }
        }
        m.put(MetricNames.MEAN_LENGTH, (double) lenSum / Math.max(1, count));
        m.put(MetricNames.MAX_LENGTH, maxLen);
        m.put(MetricNames.CLIPPED_RATIO, (double) truncated / Math.max(1, count));
    }

    /** Appends the step's logged completions to samples.jsonl. */
    void writeSamples(int step, List<GroupSampler.Group> kept) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (GroupSampler.Group grp : kept) {
            for (int j = 0; j < grp.completions().size() && records.size() < samplesPerStep; j++) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put(MetricNames.STEP, step);
                rec.put(MetricNames.Sample.PROMPT, grp.item().prompt());
                rec.put(MetricNames.Sample.COMPLETION, grp.completions().get(j).text());
                Map<String, Object> per = new LinkedHashMap<>();
                for (var e : grp.perFunction().entrySet()) {
                    per.put(e.getKey(), e.getValue().get(j).value());
                }
                rec.put(MetricNames.Sample.REWARDS, per);
                rec.put(MetricNames.Sample.TOTAL, grp.rewards()[j]);
                rec.put(MetricNames.Sample.FINISH_REASON, grp.completions().get(j).finishReason().toString());
                records.add(rec);
            }
        }
        Jsonl.appendLines(run.samples(), records);
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? 0 : s / x.length;
    }

    /** Unbiased std, as torch.std (TRL logs reward_std this way). */
    static double std(double[] x) {
        if (x.length < 2) {
            return 0;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }
}
