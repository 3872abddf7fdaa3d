package io.zerorl.data.synth;

import io.zerorl.data.AnswerKind;
import io.zerorl.data.Dataset;
import io.zerorl.data.DatasetDescriptor;
import io.zerorl.data.DatasetRow;
import io.zerorl.util.Seeds;
import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * The built-in reasoning task: multi-step sums of small numbers ("what is 4+7+2?", gold answer "13"). Doing
 * the sum in one go is hard for a tiny model; rewriting it one addition at a time (4+7+2 = 11+2 = 13) only needs
 * one-digit addition facts and copying. The pretraining corpus ({@link PretrainCorpus}) teaches the facts,
 * answers these questions only in plain text and shows the R1 answer tags only on other tasks; reinforcement
 * learning with a verifiable reward then teaches the model to answer them well in
 * {@code <think>..</think><answer>..</answer>}.
 *
 * <p>Problems are ordered tuples of operands. A tuple is held out when a fixed hash of it falls in the
 * held-out percentage, so the split does not depend on any seed and train and held-out never share a problem;
 * the corpus never shows a held-out tuple.
 */
public final class SumTask {
    public static final String NAME = "sums";
    /** Fields of a dataset row. */
    public static final String QUESTION = "question";
    public static final String ANSWER = "answer";
    public static final String ID = "id";
    public static final String OPERANDS = "operands";

    /**
     * @param minTerms       fewest operands in a question (>= 2)
     * @param maxTerms       most operands
     * @param maxOperand     operands are drawn from 1..maxOperand
     * @param heldOutPercent share of problems reserved for evaluation (1..50)
     */
    public record Config(int minTerms, int maxTerms, int maxOperand, int heldOutPercent) {
        public Config {
            if (minTerms < 2 || maxTerms < minTerms || maxTerms > 8) {
                throw new ZerorlException("sums task needs 2 <= min_terms <= max_terms <= 8; got " + minTerms + ".." + maxTerms);
            }
            if (maxOperand < 2 || maxOperand > 99) {
                throw new ZerorlException("sums task max_operand must be in 2..99, got " + maxOperand);
            }
            if (heldOutPercent < 1 || heldOutPercent > 50) {
                throw new ZerorlException("sums task held_out_percent must be in 1..50, got " + heldOutPercent);
            }
        }

        public static Config defaults() {
            return new Config(3, 4, 6, 15);
        }

        /** Number of distinct problems (ordered tuples). */
        public long problemCount() {
            long total = 0;
            for (int k = minTerms; k <= maxTerms; k++) {
                total += (long) Math.pow(maxOperand, k);
            }
            return total;
        }
    }

    public enum Split { TRAIN, HELD_OUT }

    /** One problem: its operands, in order. */
    public record Problem(int[] operands) {
        public Problem {
            operands = operands.clone();
        }

        public int answer() {
            return Arrays.stream(operands).sum();
        }

        /** The question: "what is 4+7+2?". */
        public String question() {
            return "what is " + expression() + "?";
        }

        /** The sum as an expression: "4+7+2". */
        public String expression() {
            StringJoiner j = new StringJoiner("+");
            for (int o : operands) {
                j.add(Integer.toString(o));
            }
            return j.toString();
        }

        /** A stable id: "sums/4+7+2". */
        public String id() {
            return NAME + "/" + expression();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Problem p && Arrays.equals(operands, p.operands);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(operands);
        }

        @Override
        public String toString() {
            return expression();
        }
    }

    private final Config config;

    public SumTask(Config config) {
        this.config = config;
    }

    public static SumTask defaults() {
        return new SumTask(Config.defaults());
    }

    public Config config() {
        return config;
    }

    /** Which side of the split a problem is on: a fixed hash, independent of seeds. */
    public Split split(Problem p) {
        return Math.floorMod(Seeds.hash(p.operands()), 100) < config.heldOutPercent() ? Split.HELD_OUT : Split.TRAIN;
    }

    /** Whether {@code p} is one of this task's held-out problems (its shape fits the task and its hash is held out). */
    public boolean isHeldOut(Problem p) {
        int n = p.operands().length;
        if (n < config.minTerms() || n > config.maxTerms()) {
            return false;
        }
        for (int o : p.operands()) {
            if (o < 1 || o > config.maxOperand()) {
                return false;
            }
        }
        return split(p) == Split.HELD_OUT;
    }

    /** A random problem of the given split. */
    public Problem sample(SplittableRandom rng, Split split) {
        while (true) {
            int k = config.minTerms() + rng.nextInt(config.maxTerms() - config.minTerms() + 1);
            int[] ops = new int[k];
            for (int i = 0; i < k; i++) {
                ops[i] = 1 + rng.nextInt(config.maxOperand());
            }
            Problem p = new Problem(ops);
            if (split(p) == split) {
                return p;
            }
        }
    }

    /** {@code count} distinct problems of a split, the same for the same seed. */
    public List<Problem> problems(Split split, int count, long seed) {
        long available = (long) (config.problemCount() * (split == Split.HELD_OUT
                ? config.heldOutPercent() / 100.0 : 1 - config.heldOutPercent() / 100.0) * 0.9);
        if (count > available) {
            throw new ZerorlException("asked for " + count + " " + split + " problems of the sums task; it has about "
                    + available + " (raise max_terms or max_operand)");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Set<Problem> out = new LinkedHashSet<>();
        while (out.size() < count) {
            out.add(sample(rng, split));
        }
        return new ArrayList<>(out);
    }

    /** Dataset rows (fields question, answer, id, operands) for eval and the RL trainer. */
    public List<DatasetRow> rows(Split split, int count, long seed) {
        List<DatasetRow> rows = new ArrayList<>();
        String source = NAME + "/" + split.name().toLowerCase(java.util.Locale.ROOT);
        for (Problem p : problems(split, count, seed)) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put(ID, p.id());
            f.put(QUESTION, p.question());
            f.put(ANSWER, Integer.toString(p.answer()));
            f.put(OPERANDS, Arrays.stream(p.operands()).mapToObj(Long::valueOf).toList());
            rows.add(new DatasetRow(source, rows.size() + 1, f));
        }
        return rows;
    }

    /** The descriptor of generated rows: answers are integers, checked as math answers; prompts use the chat template. */
    public static DatasetDescriptor descriptor() {
        return new DatasetDescriptor(NAME, "Multi-step sums of small numbers (generated)",
                "(generated)", "builtin:" + NAME, null, QUESTION, "field", ANSWER, AnswerKind.MATH, ID, "chat", null, null);
    }

    public Dataset dataset(Split split, int count, long seed) {
        return new Dataset(descriptor(), rows(split, count, seed));
    }
}
