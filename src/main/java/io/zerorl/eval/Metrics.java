package io.zerorl.eval;

import io.zerorl.util.ZerorlException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Benchmark metrics over problems, each with several sampled answers. Every metric is a per-problem score
 * averaged over problems, reported with the standard error of that mean across problems.
 */
public final class Metrics {
    private Metrics() {}

    /**
     * A mean over problems and its standard error: sample standard deviation (n - 1) over sqrt(problems);
     * NaN when there are fewer than two problems.
     */
    public record Estimate(double mean, double stderr, int problems) {
        public static Estimate of(double[] perProblem) {
            int p = perProblem.length;
            if (p == 0) {
                throw new ZerorlException("no problems to average over");
            }
            double mean = 0;
            for (double v : perProblem) {
                mean += v;
            }
            mean /= p;
            double ss = 0;
            for (double v : perProblem) {
                ss += (v - mean) * (v - mean);
            }
            return new Estimate(mean, p < 2 ? Double.NaN : Math.sqrt(ss / (p - 1) / p), p);
        }
    }

    /**
     * Unbiased pass@k for one problem with {@code n} samples of which {@code c} are correct (Chen et al. 2021,
     * "Evaluating Large Language Models Trained on Code", eq. 1 and its numpy snippet):
     * 1 - C(n-c, k) / C(n, k), computed as 1 - prod_{i=n-c+1..n} (1 - k/i) to avoid huge binomials.
     */
    public static double passAtK(int n, int c, int k) {
        if (k < 1) {
            throw new ZerorlException("pass@k needs k >= 1, got " + k);
        }
        if (c < 0 || c > n) {
            throw new ZerorlException("correct count " + c + " must be within 0.." + n + " samples");
        }
        if (k > n) {
            throw new ZerorlException("pass@" + k + " needs at least " + k + " samples per problem, got " + n
                    + "; sample more (n >= k) or report a smaller k");
        }
        if (n - c < k) {
            return 1.0; // every k-subset contains a correct sample
        }
        double prodFail = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            prodFail *= 1.0 - (double) k / i;
        }
        return 1.0 - prodFail;
    }

    /** pass@k over problems: {@code n[i]} samples and {@code c[i]} correct for problem i. */
    public static Estimate passAtK(int[] n, int[] c, int k) {
        if (n.length != c.length) {
            throw new IllegalArgumentException("n and c differ in length: " + n.length + " vs " + c.length);
        }
        double[] per = new double[n.length];
        for (int i = 0; i < n.length; i++) {
            per[i] = passAtK(n[i], c[i], k);
        }
        return Estimate.of(per);
    }

    /** pass@1 as the mean correctness over each problem's samples (equal to the unbiased estimator at k = 1). */
    public static Estimate passAt1(List<boolean[]> correct) {
        double[] per = new double[correct.size()];
        for (int i = 0; i < per.length; i++) {
            boolean[] s = correct.get(i);
            if (s.length == 0) {
                throw new ZerorlException("problem " + i + " has no samples");
            }
            int c = 0;
            for (boolean b : s) {
                c += b ? 1 : 0;
            }
            per[i] = (double) c / s.length;
        }
        return Estimate.of(per);
    }

    /**
     * Majority vote over normalised answers; {@code null} means no answer was extracted and casts no vote.
     * Ties go to the answer whose first vote came earliest (sample order), so the result depends only on the
     * order of samples, never on hashing. Empty when no sample has an answer.
     */
    public static Optional<String> majorityVote(List<String> answers) {
        Map<String, Integer> votes = new HashMap<>();
        for (String a : answers) {
            if (a != null) {
                votes.merge(a, 1, Integer::sum);
            }
        }
        String best = null;
        for (String a : answers) { // first-seen order breaks ties
            if (a != null && (best == null || votes.get(a) > votes.get(best))) {
                best = a;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * maj@k: per problem, the majority vote of its first {@code k} answers is scored against the gold answer
     * with {@code matches(voted, gold)}; a problem without any extracted answer counts as wrong.
     */
    public static Estimate majAtK(List<List<String>> answers, List<String> golds, int k,
                                  BiPredicate<String, String> matches) {
        if (answers.size() != golds.size()) {
            throw new IllegalArgumentException(answers.size() + " answer lists for " + golds.size() + " gold answers");
        }
        double[] per = new double[answers.size()];
        for (int i = 0; i < per.length; i++) {
            List<String> a = answers.get(i);
            if (k < 1 || k > a.size()) {
                throw new ZerorlException("maj@" + k + " needs at least " + k + " samples per problem, problem " + i
                        + " has " + a.size());
            }
            String gold = golds.get(i);
            per[i] = majorityVote(a.subList(0, k)).map(v -> matches.test(v, gold)).orElse(false) ? 1 : 0;
        }
        return Estimate.of(per);
    }

    /**
     * maj@k when every sample was verified on its own (the evaluator's case): per problem, the majority vote
     * over the first {@code k} answers ({@link #majorityVote}; null = no answer, no vote) is correct when the
     * first of those samples that gave the voted answer was verified correct. Equal normalised answers verify
     * alike, so this needs no second answer checker. A problem without any answer among its first k counts as wrong.
     */
    public static Estimate majAtKVerified(List<List<String>> answers, List<boolean[]> correct, int k) {
        if (answers.size() != correct.size()) {
            throw new IllegalArgumentException(answers.size() + " answer lists for " + correct.size() + " correctness lists");
        }
        double[] per = new double[answers.size()];
        for (int i = 0; i < per.length; i++) {
            List<String> a = answers.get(i);
            boolean[] ok = correct.get(i);
            if (a.size() != ok.length) {
                throw new IllegalArgumentException("problem " + i + ": " + a.size() + " answers, " + ok.length + " verdicts");
            }
            if (k < 1 || k > a.size()) {
                throw new ZerorlException("maj@" + k + " needs at least " + k + " samples per problem, problem " + i
                        + " has " + a.size());
            }
            Optional<String> voted = majorityVote(a.subList(0, k));
            per[i] = voted.isPresent() && ok[a.indexOf(voted.get())] ? 1 : 0;
        }
        return Estimate.of(per);
    }

    /** maj@k with exact equality of normalised answers. */
    public static Estimate majAtK(List<List<String>> answers, List<String> golds, int k) {
        return majAtK(answers, golds, k, String::equals);
    }
}
