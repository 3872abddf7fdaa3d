package io.zerorl.reward.text;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.reward.math.MathAccuracyReward;

/**
 * {@code cosine_length}: length scaling by correctness, Yeo et al. 2025 "Demystifying Long Chain-of-Thought
 * Reasoning in LLMs" as in open-r1 {@code get_cosine_scaled_reward}: with {@code p = min(len, max_len) / max_len}
 * and {@code cos = cos(pi p)}, reward {@code = lo + (hi - lo)(1 + cos)/2}, where correct answers go from
 * {@code max_value_correct} (short) to {@code min_value_correct} (long) and wrong answers from
 * {@code min_value_wrong} (short) to {@code max_value_wrong} (long): short right answers are best, short wrong
 * ones worst. Length is the trainer's token count when given, else characters (as open-r1). Correctness uses
 * {@code math_accuracy} (its options {@code gold_field}, {@code timeout_ms} are accepted). Defaults are open-r1's:
 * {@code min_value_wrong -1, max_value_wrong -0.5, min_value_correct 0.5, max_value_correct 1, max_len 1000}.
 */
public final class CosineLengthReward extends RewardFunction.PerItem {
    private final double minWrong;
    private final double maxWrong;
    private final double minCorrect;
    private final double maxCorrect;
    private final int maxLen;
    private final MathAccuracyReward accuracy;

    public CosineLengthReward(String name, RewardOptions o) {
        super(name);
        this.minWrong = o.getDouble("min_value_wrong", -1.0);
        this.maxWrong = o.getDouble("max_value_wrong", -0.5);
        this.minCorrect = o.getDouble("min_value_correct", 0.5);
        this.maxCorrect = o.getDouble("max_value_correct", 1.0);
        this.maxLen = o.getInt("max_len", 1000, 1, Integer.MAX_VALUE);
        this.accuracy = new MathAccuracyReward(name, o);
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        Boolean correct = accuracy.correct(in);
        if (correct == null) {
            return Score.notApplicable("no gold answer");
        }
        int len = in.completionTokens() >= 0 ? in.completionTokens() : in.completion().length();
        double progress = Math.min(len, maxLen) / (double) maxLen;
        double cosine = Math.cos(progress * Math.PI);
        double lo = correct ? minCorrect : maxWrong;
        double hi = correct ? maxCorrect : minWrong;
        return Score.of(lo + 0.5 * (hi - lo) * (1.0 + cosine), "correct", correct, "length", len);
    }
}
