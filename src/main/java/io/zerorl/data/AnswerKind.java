package io.zerorl.data;

import io.zerorl.util.Names;
import io.zerorl.util.ZerorlException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** How a dataset's answers are checked; the reward/eval side maps each kind to a checker. */
public enum AnswerKind {
    /** LaTeX final answer compared for mathematical equivalence (MATH-500, AIME, AMC). */
    MATH,
    /** GSM8K: the gold is the text after the last "#### " of the solution, an integer (commas allowed). */
    GSM8K,
    /** HumanEval: run prompt + completion + test + check(entry_point) in a sandbox. */
    CODE_HUMANEVAL,
    /** MBPP: run the code, then every assert of test_list, in a sandbox. */
    CODE_MBPP,
    /** Countdown: an arithmetic expression using each given number once that evaluates to the target. */
    COUNTDOWN;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> yamlNames() {
        return Arrays.stream(values()).map(AnswerKind::yamlName).toList();
    }

    public static AnswerKind parse(String s, String where) {
        for (AnswerKind k : values()) {
            if (k.yamlName().equals(s)) {
                return k;
            }
        }
        throw new ZerorlException(where + ": unknown answer_kind '" + s + "'; did you mean '"
                + Names.nearest(s, yamlNames()) + "'? Valid: " + yamlNames());
    }
}
