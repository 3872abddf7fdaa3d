package io.zerorl.reward.math;

import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardInput;
import io.zerorl.reward.RewardOptions;
import io.zerorl.reward.Score;
import io.zerorl.util.ZerorlException;

import java.util.Locale;

/**
 * {@code math_accuracy}: 1 when the completion's final answer equals the row's gold answer, else 0; not applicable
 * when the row has no gold answer. Extraction and comparison follow Hugging Face Math-Verify's semantics
 * ({@link AnswerExtractor}, {@link MathEquivalence}); bad input never throws: it scores 0 with a detail saying why.
 * Gold: field {@code gold_field} (default {@code answer}, then {@code solution}); a GSM8K worked solution
 * ({@code #### x}), a MATH solution ({@code \boxed{}}) or a solution in prose is reduced to its final answer.
 * <p>Options (defaults are Math-Verify's):
 * <ul>
 *   <li>{@code gold_field} ({@code answer});</li>
 *   <li>{@code timeout_ms} (2000): time budget per item for the computer algebra system; running out scores 0 with
 *       detail {@code cas_timeout};</li>
 *   <li>{@code use_cas} (true): false keeps to numbers, structure and the built-in evaluator;</li>
 *   <li>{@code precision} (6): decimals both sides are rounded to when a decimal number is compared
 *       (Math-Verify's {@code float_rounding});</li>
 *   <li>{@code rel_tol} (1e-9): relative tolerance for the value of expressions that are not plain numbers;</li>
 *   <li>{@code strict} (true): variables matter ({@code f(x)} is not {@code f(y)}; an equation gold needs the same
 *       variable); false renames the prediction's variables to the gold's;</li>
 *   <li>{@code allow_set_relation_comp} (false): also read a predicted inequality as a set against a gold set or
 *       interval (a gold inequality is always read as a set against a predicted interval);</li>
 *   <li>{@code match_types} ({@code latex,expr}): the fallbacks for a completion without a box or answer marker:
 *       {@code latex} (the last LaTeX span), {@code expr} (the last number or arithmetic expression), both, or
 *       {@code none}; {@code string} adds choice letters standing alone in the text ({@code choices});</li>
 *   <li>{@code choices} ({@code A,B,C,D}): the letters {@code match_types: string} looks for;</li>
 *   <li>{@code fallback_last_number}: older spelling; false is {@code match_types: latex};</li>
 *   <li>{@code boxed_match_priority} (0): where boxes rank among the markers (0 first, 50 after "final answer ... is",
 *       -1 never);</li>
 *   <li>{@code malformed_operators} (true): read {@code \frac12} and {@code \sqrt3} as {@code \frac{1}{2}} and
 *       {@code \sqrt{3}}.</li>
 * </ul>
 */
public final class MathAccuracyReward extends RewardFunction.PerItem {
    private final String goldField;
    private final AnswerExtractor.Config extraction;
    private final MathEquivalence eq;

    public MathAccuracyReward(String name, RewardOptions o) {
        super(name);
        this.goldField = o.getString("gold_field", "answer");
        long timeout = o.getInt("timeout_ms", 2000, 1, 600_000);
        double relTol = o.getDouble("rel_tol", 1e-9, 0, 1);
        boolean useCas = o.getBoolean("use_cas", true);
        int precision = o.getInt("precision", 6, 0, 15);
        boolean strict = o.getBoolean("strict", true);
        boolean setRel = o.getBoolean("allow_set_relation_comp", false);
        boolean malformed = o.getBoolean("malformed_operators", true);
        int boxed = o.getInt("boxed_match_priority", 0, -1, 300);
        String types = o.getString("match_types", "latex,expr").toLowerCase(Locale.ROOT).replace(" ", "");
        boolean latex = false;
        boolean expr = false;
        boolean string = false;
        for (String t : types.split(",")) {
            switch (t) {
                case "latex" -> latex = true;
                case "expr" -> expr = true;
                case "string" -> string = true;
                case "none", "" -> { }
                default -> throw new ZerorlException("Reward '" + name + "': option 'match_types' takes latex, expr, string or none, got '"
                        + t + "'");
            }
        }
        if (!o.getBoolean("fallback_last_number", true)) {
            expr = false;
        }
        String choices = o.getString("choices", "A,B,C,D");
        this.extraction = new AnswerExtractor.Config(latex, expr, boxed,
                string ? java.util.Arrays.stream(choices.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList()
                        : java.util.List.of());
        this.eq = new MathEquivalence(new MathEquivalence.Settings(precision, strict, setRel, malformed, relTol), timeout, useCas);
    }

    /** The gold final answer of a row, or null. */
    public String gold(RewardInput in) {
        String g = in.field(goldField);
        if (g == null && goldField.equals("answer")) {
            g = in.field("solution");
        }
        return g == null ? null : AnswerExtractor.gold(g, extraction);
    }

    /** Whether the completion is correct (false when no gold); used by length rewards that scale by correctness. */
    public Boolean correct(RewardInput in) {
        Score s = scoreItem(in);
        return s.applicable() ? s.value() > 0.5 : null;
    }

    @Override
    protected Score scoreItem(RewardInput in) {
        String gold;
        try {
            gold = gold(in);
        } catch (RuntimeException | StackOverflowError e) {
            return Score.of(0.0, "reason", "gold answer not readable: " + e.getClass().getSimpleName());
        }
        if (gold == null || gold.isBlank()) {
            return Score.notApplicable("no gold answer in field '" + goldField + "'");
        }
        try {
            AnswerExtractor.Extraction ex = AnswerExtractor.extract(in.completion(), extraction);
            if (ex == null) {
                return Score.of(0.0, "reason", "no answer found", "gold", gold);
            }
            MathEquivalence.Result r = eq.equivalent(gold, ex.answer());
            return Score.of(r.equal() ? 1.0 : 0.0, "extracted", ex.answer(), "extraction", ex.method(),
                    "gold", gold, "method", r.method());
        } catch (RuntimeException | StackOverflowError e) {
            return Score.of(0.0, "reason", "malformed completion: " + e.getClass().getSimpleName(), "gold", gold);
        }
    }
}
