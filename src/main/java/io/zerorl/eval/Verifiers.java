package io.zerorl.eval;

import io.zerorl.data.AnswerKind;
import io.zerorl.data.Problem;
import io.zerorl.reward.RewardFunction;
import io.zerorl.reward.RewardRegistry;
import io.zerorl.reward.Score;
import io.zerorl.reward.code.CodeReward;
import io.zerorl.reward.math.LatexNormalizer;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which reward verifier checks each {@link AnswerKind}, with which options, and what "the answer" of a sample
 * is for majority voting. Evaluation never checks answers itself: a sample is correct when its verifier
 * scores it above 0.5 (the verifiers score 1 or 0; Countdown's partial format credit is switched off here).
 * The voting key comes from the same verifier's details (math: the extracted answer, Countdown: the equation)
 * or its public extraction helper (code: the program), normalised so that spelling variants vote together.
 */
public final class Verifiers {
    /** The voting key of one scored sample, or null when the sample gave no answer (it casts no vote). */
    @FunctionalInterface
    public interface AnswerKey {
        String of(String completion, Score score);
    }

    /** Rewrites a problem's row into the fields its verifier reads. */
    @FunctionalInterface
    public interface Fields {
        Map<String, Object> of(Problem problem);
    }

    /** How one kind of answer is verified. */
    public record Binding(String reward, Map<String, Object> options, Fields fields, AnswerKey answerKey) {
        public Binding {
            options = Map.copyOf(options);
        }

        /** The same binding with some reward options replaced (e.g. a longer sandbox timeout). */
        public Binding withOptions(Map<String, ?> more) {
            Map<String, Object> o = new LinkedHashMap<>(options);
            o.putAll(more);
            return new Binding(reward, o, fields, answerKey);
        }

        public RewardFunction create(RewardRegistry registry) {
            return registry.create(reward, options);
        }
    }

    private static final Map<AnswerKind, Binding> DEFAULTS = new EnumMap<>(AnswerKind.class);

    static {
        // Math: the gold is the data package's final answer (GSM8K: after "####"; AMC's 27.0 read as 27).
        Fields mathFields = p -> {
            Map<String, Object> f = new LinkedHashMap<>(p.row().fields());
            f.put("answer", p.answer());
            return f;
        };
        AnswerKey extracted = (c, s) -> {
            Object a = s.details().get("extracted");
            return a == null ? null : LatexNormalizer.normalize(a.toString());
        };
        Binding math = new Binding("math_accuracy", Map.of(), mathFields, extracted);
        DEFAULTS.put(AnswerKind.MATH, math);
        DEFAULTS.put(AnswerKind.GSM8K, math);
        DEFAULTS.put(AnswerKind.COUNTDOWN, new Binding("countdown", Map.of("format_score", 0.0), p -> p.row().fields(),
                (c, s) -> {
                    Object e = s.details().get("equation");
                    return e == null ? null : e.toString().replaceAll("\\s+", "");
                }));
        Binding code = new Binding("code", Map.of(), p -> p.row().fields(), (c, s) -> {
            String prog = CodeReward.extractCode(c, false);
            return prog == null || prog.isBlank() ? null : prog.strip().replaceAll("[ \\t]+(\\r?\\n)", "$1");
        });
        DEFAULTS.put(AnswerKind.CODE_HUMANEVAL, code);
        DEFAULTS.put(AnswerKind.CODE_MBPP, code);
    }

    private Verifiers() {}

    public static Binding forKind(AnswerKind kind) {
        return DEFAULTS.get(kind);
    }

    /** Whether a verifier's score counts as a correct sample. */
    public static boolean correct(Score s) {
        return s.applicable() && s.value() > 0.5;
    }
}
