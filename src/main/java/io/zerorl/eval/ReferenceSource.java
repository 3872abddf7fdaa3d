package io.zerorl.eval;

import io.zerorl.data.AnswerKind;
import io.zerorl.data.Problem;
import io.zerorl.rollout.SamplingParams;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in model that checks the harness itself: {@link #oracle()} answers every problem with its gold
 * solution, written the way the R1 template asks ({@code <think>...</think> <answer>\boxed{gold}</answer>} for
 * math, the equation in {@code <answer>} for Countdown, a {@code ```python} block with the reference code for
 * HumanEval (prompt + canonical_solution) and MBPP ({@code code})); {@link #wrong()} answers every problem
 * wrongly in the same format. Run through the same pipeline as a real model, the oracle must score 100% and
 * the wrong source 0%: anything else means the templates, the verifiers or their wiring are broken.
 */
public final class ReferenceSource implements CompletionSource {
    private static final Map<AnswerKind, Function<Problem, String>> GOLD = new EnumMap<>(AnswerKind.class);
    private static final Map<AnswerKind, Function<Problem, String>> WRONG = new EnumMap<>(AnswerKind.class);

    static {
        Function<Problem, String> math = p -> "<think>The reference solution.</think> <answer>\\boxed{" + p.answer() + "}</answer>";
        GOLD.put(AnswerKind.MATH, math);
        GOLD.put(AnswerKind.GSM8K, math);
        GOLD.put(AnswerKind.COUNTDOWN, p -> "<think>Search.</think> <answer>" + countdown(p) + "</answer>");
        GOLD.put(AnswerKind.CODE_HUMANEVAL, p -> "<think>Reference.</think>\n```python\n" + p.row().getString("prompt")
                + p.row().getString("canonical_solution") + "\n```");
        GOLD.put(AnswerKind.CODE_MBPP, p -> "<think>Reference.</think>\n```python\n" + p.answer() + "\n```");

        Function<Problem, String> wrongMath = p -> "<think>A guess.</think> <answer>\\boxed{-987654.321}</answer>";
        WRONG.put(AnswerKind.MATH, wrongMath);
        WRONG.put(AnswerKind.GSM8K, wrongMath);
        WRONG.put(AnswerKind.COUNTDOWN, p -> "<think>A guess.</think> <answer>0</answer>");
        // HumanEval: the prompt's stub (docstring only) stays, so the function returns None; MBPP: undefined name
        Function<Problem, String> wrongCode = p -> "<think>A guess.</think>\n```python\ndef not_the_answer():\n    return None\n```";
        WRONG.put(AnswerKind.CODE_HUMANEVAL, wrongCode);
        WRONG.put(AnswerKind.CODE_MBPP, wrongCode);
    }

    private final String label;
    private final Map<AnswerKind, Function<Problem, String>> answers;

    private ReferenceSource(String label, Map<AnswerKind, Function<Problem, String>> answers) {
        this.label = label;
        this.answers = answers;
    }

    /** Answers with the gold solution. */
    public static ReferenceSource oracle() {
        return new ReferenceSource("oracle", GOLD);
    }

    /** Answers wrongly, in the expected format. */
    public static ReferenceSource wrong() {
        return new ReferenceSource("wrong", WRONG);
    }

    /** {@code oracle} or {@code wrong}. */
    public static ReferenceSource named(String name) {
        return switch (name) {
            case "oracle", "gold" -> oracle();
            case "wrong" -> wrong();
            default -> throw new ZerorlException("unknown reference source '" + name + "'; use oracle or wrong");
        };
    }

    @Override
    public List<List<Sample>> generate(List<Request> requests, SamplingParams params) {
        List<List<Sample>> out = new ArrayList<>(requests.size());
        for (Request r : requests) {
            String text = answers.get(r.problem().kind()).apply(r.problem());
            out.add(Collections.nCopies(params.n(), Sample.of(text)));
        }
        return out;
    }

    @Override
    public String describe() {
        return label;
    }

    // ---------------------------------------------------------------- countdown: exhaustive search

    /** An expression using every number once that equals the target (exact fractions), or "none". */
    static String countdown(Problem p) {
        List<long[]> vals = new ArrayList<>();
        List<String> exprs = new ArrayList<>();
        for (String s : p.row().getString("input").split("\\s*,\\s*")) {
            vals.add(new long[] {Long.parseLong(s.trim()), 1});
            exprs.add(s.trim());
        }
        long target = Long.parseLong(p.answer().trim());
        String e = solve(vals, exprs, target);
        return e == null ? "none" : e;
    }

    private static String solve(List<long[]> vals, List<String> exprs, long target) {
        if (vals.size() == 1) {
            long[] v = vals.get(0);
            return v[1] != 0 && v[0] == target * v[1] ? exprs.get(0) : null;
        }
        for (int i = 0; i < vals.size(); i++) {
            for (int j = 0; j < vals.size(); j++) {
                if (i == j) {
                    continue;
                }
                long[] a = vals.get(i);
                long[] b = vals.get(j);
                String ea = exprs.get(i);
                String eb = exprs.get(j);
                long[][] results = {{a[0] * b[1] + b[0] * a[1], a[1] * b[1]}, {a[0] * b[1] - b[0] * a[1], a[1] * b[1]},
                        {a[0] * b[0], a[1] * b[1]}, b[0] == 0 ? null : new long[] {a[0] * b[1], a[1] * b[0]}};
                String[] ops = {"+", "-", "*", "/"};
                for (int o = 0; o < 4; o++) {
                    if (results[o] == null) {
                        continue;
                    }
                    List<long[]> nv = new ArrayList<>();
                    List<String> ne = new ArrayList<>();
                    for (int k = 0; k < vals.size(); k++) {
                        if (k != i && k != j) {
                            nv.add(vals.get(k));
                            ne.add(exprs.get(k));
                        }
                    }
                    long[] r = results[o];
                    if (r[1] < 0) {
                        r = new long[] {-r[0], -r[1]};
                    }
                    nv.add(r);
                    ne.add("(" + ea + " " + ops[o] + " " + eb + ")");
                    String found = solve(nv, ne, target);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }
}
