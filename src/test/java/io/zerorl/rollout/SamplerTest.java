package io.zerorl.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.zerorl.model.NoGrad;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Sampler correctness on a fixed distribution: many identical rows, seeded uniforms, and the empirical
 * token frequencies compared with the intended distribution (computed here independently, in double, after
 * transformers' warpers) by a chi-square goodness-of-fit test.
 */
class SamplerTest {
    /** Hand-picked logits, deliberately not sorted, so that the filters must sort. */
    static final float[] LOGITS = {0.3f, 2.0f, -1.0f, 1.2f, 0.0f, 1.5f, -2.5f, 0.9f, -0.4f, 0.5f};
    static final int V = LOGITS.length;
    static final int ROWS = 20_000;
    /** Reject the sampler only when the observed counts are this unlikely under the intended distribution. */
    static final double ALPHA = 1e-3;

    static NDManager manager;
    static NoGrad noGrad;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        noGrad = new NoGrad();
    }

    @AfterAll
    static void tearDown() {
        noGrad.close();
        manager.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("temperature 0.7", SamplingParams.sample(0.7, 1, 1, 0)),
                Arguments.of("temperature 1.5", SamplingParams.sample(1.5, 1, 1, 0)),
                Arguments.of("top_k 3", SamplingParams.sample(1.0, 1, 1, 0).withTopK(3)),
                Arguments.of("top_p 0.8", SamplingParams.sample(1.0, 1, 1, 0).withTopP(0.8)),
                Arguments.of("min_p 0.1", SamplingParams.sample(1.0, 1, 1, 0).withMinP(0.1)),
                Arguments.of("combined T 0.7, top_k 6, top_p 0.9, min_p 0.05",
                        SamplingParams.sample(0.7, 1, 1, 0).withTopK(6).withTopP(0.9).withMinP(0.05)),
                Arguments.of("top_p so small it keeps only the best token", SamplingParams.sample(1.0, 1, 1, 0).withTopP(0.01)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void empiricalFrequenciesMatchTheIntendedDistribution(String name, SamplingParams params) {
        double[] want = intended(LOGITS, params);
        Sampler.Picked picked = pick(params, 20240601L);
        long[] counts = new long[V];
        for (long t : picked.tokens()) {
            counts[(int) t]++;
        }
        double[] logp = logSoftmax(LOGITS, params.temperature());
        for (int i = 0; i < ROWS; i++) {
            int t = (int) picked.tokens()[i];
            assertThat(want[t]).as("%s: token %d was filtered out but sampled", name, t).isPositive();
            // reported log-probs: log_softmax(logits / T) of the chosen token, before filtering (TRL)
            assertThat((double) picked.logprobs()[i]).isCloseTo(logp[t], within(1e-5));
        }
        int support = (int) Arrays.stream(want).filter(p -> p > 0).count();
        if (support == 1) {
            assertThat(counts[argMax(want)]).isEqualTo(ROWS);
            return;
        }
        double p = pValue(want, counts);
        assertThat(p).as("%s: chi-square p-value, counts %s vs expected %s", name, Arrays.toString(counts),
                Arrays.toString(want)).isGreaterThan(ALPHA);
    }

    /** The test has power: the same samples are rejected against a visibly different distribution. */
    @Test
    void chiSquareRejectsTheWrongDistribution() {
        SamplingParams cold = SamplingParams.sample(0.7, 1, 1, 0);
        Sampler.Picked picked = pick(cold, 7L);
        long[] counts = new long[V];
        for (long t : picked.tokens()) {
            counts[(int) t]++;
        }
        assertThat(pValue(intended(LOGITS, cold), counts)).isGreaterThan(ALPHA);
        assertThat(pValue(intended(LOGITS, SamplingParams.sample(0.8, 1, 1, 0)), counts)).isLessThan(ALPHA);
    }

    /**
     * The CPU's host path (the inverse CDF in Java) picks the same tokens with the same log-probs as the all-device
     * path, bit for bit: a small and a Qwen-sized vocabulary, vocabularies that end on and just past a block of the
     * host path's running sums, peaked and flat logits, filters on and off, uniforms at
     * the edges. If torch summed the CDF in another order or precision this would fail.
     */
    @Test
    void hostPathPicksExactlyWhatTheDevicePathPicks() {
        SplittableRandom rng = new SplittableRandom(11);
        int[][] shapes = {{64, 509}, {3, 151_936}, {1, 7}, {4, 2048}, {4, 1025}}; // whole and partial last blocks
        SamplingParams[] settings = {SamplingParams.sample(1.0, 1, 1, 0), SamplingParams.sample(0.6, 1, 1, 0),
                SamplingParams.sample(1.0, 1, 1, 0).withTopP(0.9).withMinP(0.02).withTopK(50)};
        try (NDManager m = manager.newSubManager()) {
            for (int[] shape : shapes) {
                int b = shape[0];
                int v = shape[1];
                for (double spread : new double[] {0.5, 8}) {
                    float[] logits = new float[b * v];
                    for (int i = 0; i < logits.length; i++) {
                        logits[i] = (float) (rng.nextGaussian() * spread);
                    }
                    double[] u = new double[b];
                    for (int r = 0; r < b; r++) {
                        u[r] = r == 0 ? 0.0 : r == 1 ? Math.nextDown(1.0) : rng.nextDouble();
                    }
                    NDArray x = m.create(logits, new Shape(b, v));
                    for (SamplingParams params : settings) {
                        Sampler sampler = new Sampler(params);
                        Sampler.Picked host = sampler.pick(x, u, true);
                        Sampler.Picked device = sampler.pick(x, u, false);
                        String what = b + " x " + v + ", spread " + spread + ", " + params;
                        assertThat(host.tokens()).as(what).containsExactly(device.tokens());
                        assertThat(host.logprobs()).as(what).containsExactly(device.logprobs());
                    }
                }
            }
        }
    }

    @Test
    void greedyIsArgmaxWithUntemperedLogProbs() {
        SamplingParams greedy = SamplingParams.greedy(1);
        try (NDManager m = manager.newSubManager()) {
            float[][] rows = {LOGITS, {-1f, -2f, 3f, 0f}, {5f, 5f - 1e-3f, 0f, 0f}};
            double[] logp0 = logSoftmax(LOGITS, 1.0);
            for (int r = 0; r < rows.length; r++) {
                NDArray x = m.create(rows[r], new Shape(1, rows[r].length));
                Sampler.Picked p = new Sampler(greedy).pick(x, new double[] {0.5});
                double[] want = new double[rows[r].length];
                for (int i = 0; i < want.length; i++) {
                    want[i] = rows[r][i];
                }
                assertThat(p.tokens()[0]).isEqualTo(argMax(want));
                if (r == 0) {
                    assertThat((double) p.logprobs()[0]).isCloseTo(logp0[argMax(want)], within(1e-6));
                }
            }
        }
    }

    private static Sampler.Picked pick(SamplingParams params, long seed) {
        float[] flat = new float[ROWS * V];
        for (int r = 0; r < ROWS; r++) {
            System.arraycopy(LOGITS, 0, flat, r * V, V);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] u = new double[ROWS];
        for (int r = 0; r < ROWS; r++) {
            u[r] = rng.nextDouble();
        }
        try (NDManager m = manager.newSubManager()) {
            return new Sampler(params).pick(m.create(flat, new Shape(ROWS, V)), u);
        }
    }

    private static double pValue(double[] want, long[] counts) {
        // goodness of fit over the tokens the intended distribution keeps (the others are checked to be 0)
        int support = (int) Arrays.stream(want).filter(p -> p > 0).count();
        double[] expected = new double[support];
        long[] observed = new long[support];
        int j = 0;
        for (int i = 0; i < want.length; i++) {
            if (want[i] > 0) {
                expected[j] = want[i] * ROWS;
                observed[j++] = counts[i];
            }
        }
        return new ChiSquareTest().chiSquareTest(expected, observed);
    }

    /**
     * The distribution the sampler should draw from, after transformers' warpers in their order:
     * temperature, top-k ({@code TopKLogitsWarper}: keep logits >= the k-th largest), top-p
     * ({@code TopPLogitsWarper}: sort ascending, drop tokens whose cumulative probability is <= 1 - top_p,
     * always keep the most likely one), min-p ({@code MinPLogitsWarper}: drop tokens whose probability is
     * below min_p times the largest). Each filter renormalises what is left.
     */
    static double[] intended(float[] logits, SamplingParams p) {
        int v = logits.length;
        double[] z = new double[v];
        for (int i = 0; i < v; i++) {
            z[i] = logits[i] / p.temperature();
        }
        boolean[] keep = new boolean[v];
        Arrays.fill(keep, true);
        if (p.topK() > 0 && p.topK() < v) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[v - p.topK()];
            for (int i = 0; i < v; i++) {
                keep[i] &= z[i] >= kth;
            }
        }
        if (p.topP() < 1.0) {
            double[] probs = normalise(z, keep);
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(probs[a], probs[b])); // ascending
            double cum = 0;
            for (int j = 0; j < v; j++) {
                int i = order[j];
                cum += probs[i];
                assertThat(Math.abs(cum - (1 - p.topP()))).as("test logits too close to the top-p cut").isGreaterThan(1e-4);
                if (cum <= 1 - p.topP() && j < v - 1) {
                    keep[i] = false;
                }
            }
        }
        if (p.minP() > 0) {
            double[] probs = normalise(z, keep);
            double max = Arrays.stream(probs).max().orElseThrow();
            for (int i = 0; i < v; i++) {
                if (keep[i]) {
                    assertThat(Math.abs(probs[i] - p.minP() * max)).as("test logits too close to the min-p cut").isGreaterThan(1e-4);
                }
                keep[i] &= probs[i] >= p.minP() * max;
            }
        }
        return normalise(z, keep);
    }

    private static double[] normalise(double[] z, boolean[] keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < z.length; i++) {
            if (keep[i]) {
                max = Math.max(max, z[i]);
            }
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = keep[i] ? Math.exp(z[i] - max) : 0;
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    static double[] logSoftmax(float[] logits, double temperature) {
        double[] z = new double[logits.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < z.length; i++) {
            z[i] = logits[i] / temperature;
            max = Math.max(max, z[i]);
        }
        double sum = 0;
        for (double x : z) {
            sum += Math.exp(x - max);
        }
        double lse = max + Math.log(sum);
        for (int i = 0; i < z.length; i++) {
            z[i] -= lse;
        }
        return z;
    }

    private static int argMax(double[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }
}
