package io.zerorl.algo;

import io.zerorl.util.Registry;

/**
 * Advantage estimators by name (verl {@code core_algos.py} {@code register_adv_est}): {@code grpo} and
 * {@code rloo}. Computed in double over Java arrays; the result is float32 like the rest of the batch.
 */
public final class Advantages {
    /** Added to the std before dividing, as TRL {@code GRPOTrainer} does (1e-4), so equal groups give 0. */
    public static final double STD_EPS = 1e-4;

    private static final Registry<AdvantageEstimator> REGISTRY = new Registry<AdvantageEstimator>("advantage estimator")
            .register("grpo", Advantages::grpo)
            .register("rloo", Advantages::rloo);

    private Advantages() {}

    public static AdvantageEstimator get(String name) {
        return REGISTRY.get(name);
    }

    public static void register(String name, AdvantageEstimator estimator) {
        REGISTRY.register(name, estimator);
    }

    public static Registry<AdvantageEstimator> registry() {
        return REGISTRY;
    }

    /**
     * GRPO (Shao et al. 2024; TRL): A_i = (R_i - mean_g) / (std + 1e-4) with the unbiased std of the group
     * ({@code GROUP}) or of the whole batch ({@code BATCH}); {@code NONE} keeps R_i - mean_g (Dr. GRPO,
     * Liu et al. 2025). Groups of equal rewards give A = 0.
     */
    public static float[] grpo(float[] rewards, int groupSize, ScaleRewards scale) {
        int groups = checkLayout(rewards, groupSize, scale == ScaleRewards.GROUP ? 2 : 1);
        double batchStd = scale == ScaleRewards.BATCH ? std(rewards, 0, rewards.length) : 0;
        float[] adv = new float[rewards.length];
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            double mean = mean(rewards, from, groupSize);
            double div = switch (scale) {
                case GROUP -> std(rewards, from, groupSize) + STD_EPS;
                case BATCH -> batchStd + STD_EPS;
                case NONE -> 1;
            };
            for (int i = from; i < from + groupSize; i++) {
                adv[i] = (float) ((rewards[i] - mean) / div);
            }
        }
        return adv;
    }

    /**
     * RLOO (Ahmadian et al. 2024; verl {@code compute_rloo_outcome_advantage}): the baseline of each sample is the
     * mean of the other G-1 rewards of its group, A_i = R_i - mean_{j!=i} R_j = G/(G-1) (R_i - mean_g).
     * {@code scale} is ignored (verl does not scale RLOO).
     */
    public static float[] rloo(float[] rewards, int groupSize, ScaleRewards scale) {
        int groups = checkLayout(rewards, groupSize, 2);
        float[] adv = new float[rewards.length];
        for (int g = 0; g < groups; g++) {
            int from = g * groupSize;
            double sum = mean(rewards, from, groupSize) * groupSize;
            for (int i = from; i < from + groupSize; i++) {
                adv[i] = (float) (rewards[i] - (sum - rewards[i]) / (groupSize - 1));
            }
        }
        return adv;
    }

    /** Fraction of groups whose rewards are all equal (zero advantage, no learning signal); TRL logs it. */
    public static double zeroStdFraction(float[] rewards, int groupSize) {
        int groups = checkLayout(rewards, groupSize, 1);
        int zero = 0;
        for (int g = 0; g < groups; g++) {
            boolean same = true;
            for (int i = g * groupSize + 1; i < (g + 1) * groupSize; i++) {
                same &= rewards[i] == rewards[g * groupSize];
            }
            zero += same ? 1 : 0;
        }
        return (double) zero / groups;
    }

    private static int checkLayout(float[] rewards, int groupSize, int minGroup) {
        if (groupSize < minGroup || rewards.length % groupSize != 0) {
            throw new IllegalArgumentException("rewards of length " + rewards.length
                    + " must be whole groups of size " + groupSize + " (>= " + minGroup + ")");
        }
        return rewards.length / groupSize;
    }

    private static double mean(float[] x, int from, int n) {
        double s = 0;
        for (int i = from; i < from + n; i++) {
            s += x[i];
        }
        return s / n;
    }

    /** Unbiased (n-1) standard deviation, torch.std's default. */
    private static double std(float[] x, int from, int n) {
        if (n < 2) {
            return 0;
        }
        double m = mean(x, from, n);
        double ss = 0;
        for (int i = from; i < from + n; i++) {
            ss += (x[i] - m) * (x[i] - m);
        }
        return Math.sqrt(ss / (n - 1));
    }
}
