package io.zerorl.algo;

/**
 * Turns scalar rewards of a batch laid out as consecutive groups (the G completions of each prompt)
 * into one advantage per completion. rewards (N,), N = numGroups * groupSize -> advantages (N,).
 */
@FunctionalInterface
public interface AdvantageEstimator {
    float[] compute(float[] rewards, int groupSize, ScaleRewards scale);
}
