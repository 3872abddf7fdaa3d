package io.zerorl.data.synth;

import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Documents for next-token pretraining of the built-in base model. The RL task's format (a sum question after the
 * answer-format instruction, answered in {@code <think>..</think><answer>..</answer>}) never appears: the sum
 * questions are answered only in plain text, and the tags only on other questions, the way a web-trained base
 * model has seen worked arithmetic and tagged answers but never this task in this layout.
 * <ul>
 *   <li>{@code facts}: addition facts, one per line ("11+2=13"), running sums up to the task's largest answer;</li>
 *   <li>{@code chains}: train-split sums worked as rewriting chains ("4+7+2 = 11+2 = 13");</li>
 *   <li>{@code worked}: train-split sum questions answered in plain text, {@link #WORKED_SHARE} of them worked
 *       ("Question: what is 4+7+2?\n4+7+2 = 11+2 = 13. the answer is 13."), the rest at once;</li>
 *   <li>{@code plainOther}: questions on other tasks answered the same plain way;</li>
 *   <li>{@code tagged}: questions on other tasks after the answer-format {@link #INSTRUCTION}, answered in the R1
 *       tags: the next number, doubling, "A more than B", a running total told as a story, multiplication as
 *       repeated addition, "what comes after 4+7+2?" and "what is 3 more than 4+7+2?" (a train-split sum worked
 *       as a chain, then one more step), reversing a word, the larger of two numbers. The last two are what lets
 *       the model copy a sum after {@code <think>} and work it (measured: drawing their sums with 2 or 5 terms
 *       instead, so that the task's shapes never appear in tags, dropped the base model's held-out accuracy from
 *       26% to 8%, see docs/QUICKSTART-CORPUS.md).</li>
 * </ul>
 * No task question ("what is 4+7+2?") is ever tagged, and no held-out problem's sum is ever shown, in any kind.
 * The weights of the kinds are the {@link Mix}. Documents carry no end-of-text marker: the caller appends the
 * tokenizer's EOS. Deterministic for a seed.
 */
public final class PretrainCorpus {
    /**
     * The answer-format instruction the built-in tokenizer's chat template puts before a question when no system
     * message is given (R1-Zero's template states the format the same way; this one is short for a tiny model).
     */
    public static final String INSTRUCTION = "Use <think> and <answer>.";

    /** The chat layout of a user turn without the instruction (the plain-text documents). */
    public static String userTurn(String question) {
        return "Question: " + question + "\n";
    }

    /** The chat layout of a user turn as the built-in tokenizer's chat template renders it for the RL phase. */
    public static String instructedTurn(String question) {
        return INSTRUCTION + "\n" + userTurn(question);
    }

    /** Relative weights of the document kinds (need not sum to 1). */
    public record Mix(double facts, double chains, double worked, double plainOther, double tagged) {
        public Mix {
            double[] w = {facts, chains, worked, plainOther, tagged};
            double sum = 0;
            for (double x : w) {
                if (!(x >= 0)) {
                    throw new ZerorlException("corpus mix weights must be >= 0; got " + this);
                }
                sum += x;
            }
            if (!(sum > 0)) {
                throw new ZerorlException("corpus mix weights must have a positive sum; got " + this);
            }
        }

        public static Mix defaults() {
            return new Mix(0.2, 0.15, 0.25, 0.1, 0.3);
        }
    }

    /** Share of the plain-text task questions that are worked before the answer. */
    public static final double WORKED_SHARE = 0.7;

    /** A question on another task, its worked steps and its answer. */
    record Other(String question, String work, String answer) {}

    /** Relative weights of the other tasks, in the order of {@link #other}. */
    private static final double[] OTHER = {0.05, 0.05, 0.1, 0.2, 0.1, 0.2, 0.15, 0.08, 0.07};
    private static final double OTHER_TOTAL = Arrays.stream(OTHER).sum();

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    private final SumTask task;
    private final Mix mix;

    public PretrainCorpus(SumTask task, Mix mix) {
        this.task = task;
        this.mix = mix;
    }

    public SumTask task() {
        return task;
    }

    public Mix mix() {
        return mix;
    }

    /** {@code n} documents, the same for the same seed. */
    public List<String> documents(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(document(rng));
        }
        return out;
    }

    /** One document drawn from the mix. */
    public String document(SplittableRandom rng) {
        double u = rng.nextDouble() * (mix.facts() + mix.chains() + mix.worked() + mix.plainOther() + mix.tagged());
        if ((u -= mix.facts()) < 0) {
            return facts(rng);
        }
        if ((u -= mix.chains()) < 0) {
            return chain(task.sample(rng, SumTask.Split.TRAIN));
        }
        if ((u -= mix.worked()) < 0) {
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            return worked(p, rng.nextDouble() < WORKED_SHARE);
        }
        Other o = other(rng);
        if ((u -= mix.plainOther()) < 0) {
            return userTurn(o.question()) + o.work() + ". the answer is " + o.answer() + ".";
        }
        return instructedTurn(o.question()) + "<think>" + o.work() + "</think><answer>" + o.answer() + "</answer>";
    }

    /**
     * A question in the corpus's own format and the text a competent model writes in its answer. Used to measure a
     * model during pretraining without ever showing it the RL format.
     */
    public record Probe(String kind, String prompt, String expected) {
        /** Whether a completion of {@link #prompt} holds the expected answer. */
        public boolean passedBy(String completion) {
            return completion.contains(expected);
        }
    }

    /** Kind of {@link #probes}: a task question in plain text, answered "the answer is N." */
    public static final String PLAIN = "plain";
    /** Kind of {@link #probes}: "what comes after SUM?" after the instruction, answered {@code <answer>N+1</answer>}. */
    public static final String AFTER = "after";

    /**
     * {@code n} probes of each kind on train-split sums (never a held-out problem), the same for the same seed:
     * {@link #PLAIN} checks the sums themselves, {@link #AFTER} that a sum is copied after {@code <think>} and worked
     * (the skill the RL task needs, shown here only on the corpus's own composite question).
     */
    public List<Probe> probes(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Probe> out = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            out.add(new Probe(PLAIN, userTurn(p.question()), "the answer is " + p.answer() + "."));
        }
        for (int i = 0; i < n; i++) {
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            out.add(new Probe(AFTER, instructedTurn("what comes after " + p.expression() + "?"),
                    "<answer>" + (p.answer() + 1) + "</answer>"));
        }
        return out;
    }

    /** 4 to 8 lines "a+b=c" with a up to the largest running sum, b an operand. */
    String facts(SplittableRandom rng) {
        SumTask.Config c = task.config();
        int maxAcc = c.maxOperand() * (c.maxTerms() - 1);
        StringBuilder sb = new StringBuilder();
        int lines = 4 + rng.nextInt(5);
        for (int i = 0; i < lines; i++) {
            int a = 1 + rng.nextInt(maxAcc);
            int b = 1 + rng.nextInt(c.maxOperand());
            sb.append(a).append('+').append(b).append('=').append(a + b).append('\n');
        }
        return sb.toString();
    }

    /** "4+7+2 = 11+2 = 13" and a newline. */
    static String chain(SumTask.Problem p) {
        return reduce(p) + "\n";
    }

    /** "4+7+2 = 11+2 = 13": the sum rewritten one addition at a time. */
    static String reduce(SumTask.Problem p) {
        int[] ops = p.operands();
        StringBuilder sb = new StringBuilder(p.expression());
        int acc = ops[0];
        for (int i = 1; i < ops.length; i++) {
            acc += ops[i];
            sb.append(" = ").append(acc);
            for (int j = i + 1; j < ops.length; j++) {
                sb.append('+').append(ops[j]);
            }
        }
        return sb.toString();
    }

    /** A task question answered in plain text: "4+7+2 = 11+2 = 13. the answer is 13." or at once. */
    static String worked(SumTask.Problem p, boolean showWork) {
        return userTurn(p.question()) + (showWork ? reduce(p) + ". " : "") + "the answer is " + p.answer() + ".";
    }

    /** A question on another task (see the class comment), never a task question nor a held-out sum. */
    Other other(SplittableRandom rng) {
        int maxOp = task.config().maxOperand();
        double u = rng.nextDouble() * OTHER_TOTAL;
        if ((u -= OTHER[0]) < 0) {
            int a = rng.nextInt(maxOp * 4);
            return new Other("what comes after " + a + "?", a + "+1=" + (a + 1), Integer.toString(a + 1));
        }
        if ((u -= OTHER[1]) < 0) {
            int a = 1 + rng.nextInt(maxOp);
            return new Other("what is double " + a + "?", a + "+" + a + "=" + (2 * a), Integer.toString(2 * a));
        }
        if ((u -= OTHER[2]) < 0) {
            int a = 1 + rng.nextInt(maxOp);
            int b = 1 + rng.nextInt(maxOp * 3);
            return new Other("what is " + a + " more than " + b + "?", b + "+" + a + "=" + (a + b), Integer.toString(a + b));
        }
        if ((u -= OTHER[3]) < 0) {
            SumTask.Problem p = notHeldOut(rng, 2 + rng.nextInt(3), false);
            StringBuilder q = new StringBuilder("start at ");
            int[] ops = p.operands();
            for (int i = 0; i < ops.length; i++) {
                q.append(i == 0 ? "" : i == 1 ? ", add " : ", then add ").append(ops[i]);
            }
            return new Other(q.append(". what do you get?").toString(), reduce(p), Integer.toString(p.answer()));
        }
        if ((u -= OTHER[4]) < 0) {
            SumTask.Problem p = notHeldOut(rng, 2 + rng.nextInt(3), true);
            int a = p.operands()[0];
            int times = p.operands().length;
            return new Other("what is " + a + " times " + times + "?", reduce(p), Integer.toString(a * times));
        }
        if ((u -= OTHER[5]) < 0) {
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            return new Other("what comes after " + p.expression() + "?",
                    reduce(p) + ", " + p.answer() + "+1 = " + (p.answer() + 1), Integer.toString(p.answer() + 1));
        }
        if ((u -= OTHER[6]) < 0) {
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            int a = 1 + rng.nextInt(maxOp);
            return new Other("what is " + a + " more than " + p.expression() + "?",
                    reduce(p) + ", " + p.answer() + "+" + a + " = " + (p.answer() + a), Integer.toString(p.answer() + a));
        }
        if ((u -= OTHER[7]) < 0) {
            String w = word(rng);
            String r = new StringBuilder(w).reverse().toString();
            return new Other("what is " + w + " reversed?", String.join(" ", r.split("")), r);
        }
        int a = rng.nextInt(100);
        int b = rng.nextInt(100);
        while (b == a) {
            b = rng.nextInt(100);
        }
        return new Other("which is larger, " + a + " or " + b + "?", Math.max(a, b) + ">" + Math.min(a, b),
                Integer.toString(Math.max(a, b)));
    }

    /** Operands for a story or a product: drawn again while they would spell a held-out task problem. */
    private SumTask.Problem notHeldOut(SplittableRandom rng, int terms, boolean repeated) {
        int maxOp = task.config().maxOperand();
        while (true) {
            int[] ops = new int[terms];
            int a = 1 + rng.nextInt(maxOp);
            for (int i = 0; i < terms; i++) {
                ops[i] = repeated ? a : 1 + rng.nextInt(maxOp);
            }
            SumTask.Problem p = new SumTask.Problem(ops);
            if (!task.isHeldOut(p)) {
                return p;
            }
        }
    }

    private static String word(SplittableRandom rng) {
        int n = 3 + rng.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(LETTERS.charAt(rng.nextInt(LETTERS.length())));
        }
        return sb.toString();
    }
}
