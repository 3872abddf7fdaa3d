package io.zerorl.reward.math;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;

/**
 * {@code math_accuracy}: 1 when the completion's final answer equals the row's gold answer, else 0;
 * not applicable when the row has no gold answer. Gold: field {@code gold_field} (default {@code answer},
 * then {@code solution}); a GSM8K worked solution ({@code #### x}) or a MATH solution ({@code \boxed{}})
 * is reduced to its final answer. Options: {@code gold_field}, {@code timeout_ms} (CAS time per item,
 * default 2000; a timeout scores 0 with detail {@code cas_timeout}), {@code rel_tol} (default 1e-6),
 * {@code fallback_last_number} (use the last number when no answer marker is found; default false),
 * {@code use_cas} (default true).
 */
public final class MathAccuracyReward extends RewardFunction.PerItem {
    private final String goldField;
    private final boolean fallbackLastNumber;
    private final MathEquivalence eq;

    public MathAccuracyReward(String name, RewardOptions o) {
        super(name);
        this.goldField = o.getString("gold_field", "answer");
        long timeout = o.getInt("timeout_ms", 2000, 1, 600_000);
        double relTol = o.getDouble("rel_tol", 1e-6, 0, 1);
        this.fallbackLastNumber = o.getBoolean("fallback_last_number", false);
        boolean useCas = o.getBoolean("use_cas", true);
        this.eq = new MathEquivalence(relTol, timeout, useCas);
    }

    /** The gold final answer of a row, or null. */
    public String gold(RewardInput in) {
        String g = in.field(goldField);
        if (g == null && goldField.equals("answer")) {
            g = in.field("solution");
        }
        return g == null ? null : AnswerExtractor.gold(g);
    }

    /** Whether the completion is correct (false when no gold); used by length rewards that scale by correctness. */
    public Boolean correct(RewardInput in) {
        Score s = scoreItem(in);
        return s.applicable() ? s.value() > 0.5 : null;
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String gold = gold(in);
        if (gold == null || gold.isBlank()) {
            return Score.notApplicable("no gold answer in field '" + goldField + "'");
        }
        AnswerExtractor.Extraction ex = AnswerExtractor.extract(in.completion(), fallbackLastNumber);
        if (ex == null) {
            return Score.of(0.0, "reason", "no answer found", "gold", gold);
        }
        MathEquivalence.Result r = eq.equivalent(gold, ex.answer());
        return Score.of(r.equal() ? 1.0 : 0.0, "extracted", ex.answer(), "extraction", ex.method(),
                "gold", gold, "method", r.method());
    }
}
