package io.zerorl.data.synth;

import io.zerorl.util.ZerorlException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Documents for next-token pretraining of the built-in base model. Nothing here is the RL task's format:
 * <ul>
 *   <li>{@code facts}: addition facts, one per line ("11+2=13"), running sums up to the task's largest answer;</li>
 *   <li>{@code chains}: train-split sums worked as rewriting chains ("4+7+2 = 11+2 = 13");</li>
 *   <li>{@code sentences}: train-split sums stated in words, answered at once ("4 plus 7 plus 2 is 13.");</li>
 *   <li>{@code tagged}: question/answer pairs on other tasks (next number, doubling, "A more than B", one-step
 *       "what is A plus B?", "start at A, add B, then add C", reversing a word, the larger of two numbers) in the
 *       chat layout with {@code <think>..</think><answer>..</answer>}, plus train-split task questions in that
 *       layout with noisy correctness: {@link #FULL_CHAIN_SHARE} of them worked to the end, the rest stopped
 *       after the first step with that partial sum as the (wrong) answer. Without them the base model always
 *       stopped after one step (2% held-out accuracy, measured; 35% full chains gave 4% sampled / 7% greedy, 50% gave 11% / 8%, 65% gave 6% / 12%); with them it finishes the sum some of the time,
 *       which a verifiable reward can sharpen.</li>
 * </ul>
 * The weights of the four kinds are the {@link Mix}. Documents carry no end-of-text marker: the caller appends
 * the tokenizer's EOS. Deterministic for a seed.
 */
public final class PretrainCorpus {
    /** The chat layout of a user turn (the built-in tokenizer's chat template renders exactly this). */
    public static String userTurn(String question) {
        return "Question: " + question + "\n";
    }

    /** Relative weights of the document kinds (need not sum to 1). */
    public record Mix(double facts, double chains, double sentences, double tagged) {
        public Mix {
            if (facts < 0 || chains < 0 || sentences < 0 || tagged < 0 || facts + chains + sentences + tagged <= 0) {
                throw new ZerorlException("corpus mix weights must be >= 0 with a positive sum; got "
                        + facts + ", " + chains + ", " + sentences + ", " + tagged);
            }
        }

        public static Mix defaults() {
            return new Mix(0.3, 0.2, 0.1, 0.4);
        }
    }

    /** Share of the tagged task questions in the corpus that are worked to the right answer. */
    public static final double FULL_CHAIN_SHARE = 0.5;

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
        double total = mix.facts() + mix.chains() + mix.sentences() + mix.tagged();
        double u = rng.nextDouble() * total;
        if ((u -= mix.facts()) < 0) {
            return facts(rng);
        }
        if ((u -= mix.chains()) < 0) {
            return chain(task.sample(rng, SumTask.Split.TRAIN));
        }
        if ((u -= mix.sentences()) < 0) {
            return sentence(task.sample(rng, SumTask.Split.TRAIN));
        }
        return tagged(rng);
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

    /** "4+7+2 = 11+2 = 13". */
    static String chain(SumTask.Problem p) {
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
        return sb.append('\n').toString();
    }

    /** "4 plus 7 plus 2 is 13." */
    static String sentence(SumTask.Problem p) {
        String q = p.question(); // "what is 4 plus 7 plus 2?"
        return q.substring("what is ".length(), q.length() - 1) + " is " + p.answer() + ".\n";
    }

    /**
     * A question on another task in the chat layout, answered with the R1 tags: the next number, doubling,
     * "A more than B", "start at A, add B, then add C" (running sums in the reasoning, as a sum question would
     * need, but never asked as "what is .. plus ..?"), reversing a word, the larger of two numbers.
     */
    String tagged(SplittableRandom rng) {
        int maxOp = task.config().maxOperand();
        String q;
        String think;
        String answer;
        double u = rng.nextDouble();
        if (u < 0.1) {
            int a = rng.nextInt(maxOp * 4);
            q = "what comes after " + a + "?";
            think = a + "+1=" + (a + 1);
            answer = Integer.toString(a + 1);
        } else if (u < 0.2) {
            int a = 1 + rng.nextInt(maxOp);
            q = "what is double " + a + "?";
            think = a + "+" + a + "=" + (2 * a);
            answer = Integer.toString(2 * a);
        } else if (u < 0.35) {
            int a = 1 + rng.nextInt(maxOp);
            int b = 1 + rng.nextInt(maxOp * 3);
            q = "what is " + a + " more than " + b + "?";
            think = b + "+" + a + "=" + (a + b);
            answer = Integer.toString(a + b);
        } else if (u < 0.4) {
            // a one-step sum: fewer terms than any task question
            int a = 1 + rng.nextInt(maxOp);
            int b = 1 + rng.nextInt(maxOp);
            q = "what is " + a + " plus " + b + "?";
            think = a + "+" + b + "=" + (a + b);
            answer = Integer.toString(a + b);
        } else if (u < 0.7) {
            // a train-split task question answered the careless way most of the time (stopping after the
            // first step, the wrong answer), worked to the end otherwise: the format is known and the model
            // sometimes finishes the sum; the reward is what tells the two apart
            SumTask.Problem p = task.sample(rng, SumTask.Split.TRAIN);
            q = p.question();
            if (rng.nextDouble() < FULL_CHAIN_SHARE) {
                think = p.steps();
                answer = Integer.toString(p.answer());
            } else {
                int first = p.operands()[0] + p.operands()[1];
                think = p.operands()[0] + "+" + p.operands()[1] + "=" + first;
                answer = Integer.toString(first);
            }
        } else if (u < 0.9) {
            int n = 2 + rng.nextInt(3);
            int[] ops = new int[n];
            StringBuilder qs = new StringBuilder("start at ");
            for (int i = 0; i < n; i++) {
                ops[i] = 1 + rng.nextInt(maxOp);
                qs.append(i == 0 ? "" : i == 1 ? ", add " : ", then add ").append(ops[i]);
            }
            q = qs.append(". what do you get?").toString();
            SumTask.Problem p = new SumTask.Problem(ops);
            think = p.steps();
            answer = Integer.toString(p.answer());
        } else if (u < 0.95) {
            String w = word(rng);
            String r = new StringBuilder(w).reverse().toString();
            q = "what is " + w + " reversed?";
            think = String.join(" ", r.split(""));
            answer = r;
        } else {
            int a = rng.nextInt(100);
            int b = rng.nextInt(100);
            while (b == a) {
                b = rng.nextInt(100);
            }
            q = "which is larger, " + a + " or " + b + "?";
            think = Math.max(a, b) + ">" + Math.min(a, b);
            answer = Integer.toString(Math.max(a, b));
        }
        return userTurn(q) + "<think>" + think + "</think><answer>" + answer + "</answer>";
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
