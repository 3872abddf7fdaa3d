package io.zerorl.algo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import io.zerorl.TestPaths;
import io.zerorl.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The 16 cases of qwen3moe-tiny/grpo_reference.json (TRL-style loss computed by PyTorch). */
class GrpoReferenceTest {
    static final JsonNode REF = Json.readTree(TestPaths.fixture("qwen3moe-tiny").resolve("grpo_reference.json"));
    static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static Stream<Integer> cases() {
        return IntStream.range(0, REF.get("cases").size()).boxed();
    }

    static double[][] matrix(String key) {
        JsonNode n = REF.get(key);
        double[][] out = new double[n.size()][];
        for (int i = 0; i < n.size(); i++) {
            out[i] = new double[n.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = n.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    static double[] vector(String key) {
        JsonNode n = REF.get(key);
        return IntStream.range(0, n.size()).mapToDouble(i -> n.get(i).asDouble()).toArray();
    }

    static NDArray nd(NDManager m, double[][] x) {
        int b = x.length, t = x[0].length;
        float[] f = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                f[i * t + j] = (float) x[i][j];
            }
        }
        return m.create(f, new Shape(b, t)).duplicate();
    }

    static NDArray nd(NDManager m, double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return m.create(f, new Shape(x.length)).duplicate();
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void lossMetricsAndGradientMatchReference(int index) {
        JsonNode c = REF.get("cases").get(index);
        double beta = c.get("beta").asDouble();
        String type = c.get("loss_type").asText();
        double[] adv = vector(c.get("scale_rewards").asBoolean() ? "advantages_scaled" : "advantages_unscaled");
        double[][] lp = matrix("policy_logprobs"), old = matrix("old_logprobs"), ref = matrix("ref_logprobs");
        double[][] mask = matrix("completion_mask");
        GrpoLossConfig cfg = new GrpoLossConfig(REF.get("epsilon_low").asDouble(), REF.get("epsilon_high").asDouble(),
                beta, "k3", type, "vanilla");

        try (NDManager m = manager.newSubManager()) {
            NDArray logp = nd(m, lp);
            logp.setRequiresGradient(true);
            LossResult r;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                r = new GrpoLoss(cfg).compute(
                        LossInputs.of(logp, nd(m, old), nd(m, ref), nd(m, adv), nd(m, mask)),
                        LossNormalizer.of(nd(m, mask), REF.get("max_completion_length").asInt()));
                gc.backward(r.loss());
            }
            double expected = c.get("loss").asDouble();
            assertThat((double) r.loss().getFloat()).isCloseTo(expected, within(1e-4 * Math.abs(expected)));
            assertThat(r.metrics().get("kl")).isCloseTo(c.get("mean_kl").asDouble(), within(1e-6));
            assertThat(r.metrics().get("clip_ratio/region_mean")).isCloseTo(c.get("clip_fraction").asDouble(), within(1e-6));

            double[][] g = analyticGradient(cfg, lp, old, ref, adv, mask);
            float[] got = logp.getGradient().toFloatArray();
            int t = lp[0].length;
            for (int i = 0; i < lp.length; i++) {
                for (int j = 0; j < t; j++) {
                    assertThat((double) got[i * t + j]).as("grad[%d][%d]", i, j).isCloseTo(g[i][j], within(1e-6 + 1e-4 * Math.abs(g[i][j])));
                }
            }
        }
    }

    /**
     * d loss / d logp in double, written independently: per token d/dlp of -min(rA, clip(r)A) is -A r when the
     * unclipped term is the minimum (which includes r inside the clip range) and 0 otherwise; d k3 / d lp =
     * 1 - exp(ref - lp); each token's weight is 1/(n_i B) (grpo), 1/N (bnpo, dapo) or 1/(B Tmax) (dr_grpo).
     */
    static double[][] analyticGradient(GrpoLossConfig cfg, double[][] lp, double[][] old, double[][] ref, double[] adv,
                                       double[][] mask) {
        int b = lp.length, t = lp[0].length;
        double total = 0;
        double[] rowCount = new double[b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                rowCount[i] += mask[i][j];
            }
            total += rowCount[i];
        }
        double[][] g = new double[b][t];
        for (int i = 0; i < b; i++) {
            double w = switch (cfg.lossType()) {
                case "grpo" -> 1.0 / (rowCount[i] * b);
                case "dr_grpo" -> 1.0 / (b * (double) t);
                default -> 1.0 / total;
            };
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue;
                }
                double r = Math.exp(lp[i][j] - old[i][j]);
                double clipped = Math.min(Math.max(r, 1 - cfg.epsilonLow()), 1 + cfg.epsilonHigh());
                double dpg = r * adv[i] <= clipped * adv[i] ? -adv[i] * r : 0;
                double dkl = 1 - Math.exp(ref[i][j] - lp[i][j]);
                g[i][j] = w * (dpg + cfg.beta() * dkl);
            }
        }
        return g;
    }
}
