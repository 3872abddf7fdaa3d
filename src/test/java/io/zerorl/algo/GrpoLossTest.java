package io.zerorl.algo;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GrpoLossTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray arr(float[] v, long... shape) {
        return m.create(v, new Shape(shape)).duplicate();
    }

    @ParameterizedTest
    @CsvSource({
        // lp = 0, ref = ln 2 -> d = ref - lp = 0.6931: k1 = -0.6931, k2 = 0.2402, k3 = 2 - 0.6931 - 1 = 0.3069
        "k1, -0.693147", "k2, 0.240227", "k3, 0.306853", "low_var_kl, 0.306853",
    })
    void klEstimators(String name, double expected) {
        NDArray lp = arr(new float[] {0f}, 1, 1);
        NDArray ref = arr(new float[] {(float) Math.log(2)}, 1, 1);
        assertThat((double) KlEstimators.get(name).compute(lp, ref).getFloat()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void lowVarKlIsClamped() {
        NDArray lp = arr(new float[] {0f}, 1, 1);
        NDArray ref = arr(new float[] {20f}, 1, 1);
        assertThat(KlEstimators.get("low_var_kl").compute(lp, ref).getFloat()).isEqualTo(10f);
    }

    /** Per-token losses {1,2,3 | 4,_,_} (row 2 has one token): hand-computed aggregations. */
    @ParameterizedTest
    @CsvSource({
        "grpo, 3.0",       // (mean(1,2,3) + mean(4)) / 2 = (2 + 4) / 2
        "bnpo, 2.5",       // 10 / 4
        "dapo, 2.5",
        "dr_grpo, 1.25",   // 10 / (2 * 4): max completion length 4 from the config, wider than the padded T = 3
    })
    void aggregations(String type, double expected) {
        NDArray perToken = arr(new float[] {1, 2, 3, 4, 99, 99}, 2, 3);
        NDArray mask = arr(new float[] {1, 1, 1, 1, 0, 0}, 2, 3);
        NDArray loss = LossAggregations.get(type).aggregate(perToken, mask, LossNormalizer.of(mask, 4));
        assertThat((double) loss.getFloat()).isCloseTo(expected, within(1e-6));
    }

    @Test
    void clipFractionMetrics() {
        // ratios exp(lp - old): 0.5 (low), 1.5 (high), 1.0, 0.5 with A > 0 (not counted), last token masked out
        float[] lp = {(float) Math.log(0.5), (float) Math.log(1.5), 0, (float) Math.log(0.5), (float) Math.log(3)};
        NDArray logp = arr(lp, 1, 5);
        NDArray old = arr(new float[5], 1, 5);
        NDArray mask = arr(new float[] {1, 1, 1, 1, 0}, 1, 5);
        NDArray adv = arr(new float[] {-1, 1, 1, 1, 1}, 1, 5); // per-token advantages
        LossResult r = new GrpoLoss(GrpoLossConfig.defaults()).compute(LossInputs.of(logp, old, null, adv, mask));
        assertThat(r.metrics()).containsEntry("clip_ratio/low_mean", 0.25).containsEntry("clip_ratio/high_mean", 0.25)
                .containsEntry("clip_ratio/region_mean", 0.5).containsEntry("num_tokens", 4.0).doesNotContainKey("kl");
        assertThat(r.metrics().get("ratio/min")).isCloseTo(0.5, within(1e-6));
        assertThat(r.metrics().get("ratio/max")).isCloseTo(1.5, within(1e-6));
        assertThat(r.metrics().get("ratio/mean")).isCloseTo(0.875, within(1e-6));
        // per token: -min(0.5*-1, 0.8*-1) = 0.8; -min(1.5, 1.2) = -1.2; -1; -min(0.5, 0.8) = -0.5 -> sum -1.9 / 4
        assertThat((double) r.loss().getFloat()).isCloseTo(-1.9 / 4, within(1e-6));
    }

    @Test
    void onPolicyWithoutOldLogpsHasRatioOneAndPolicyGradient() {
        NDArray logp = arr(new float[] {-1, -2, -3, -4}, 2, 2);
        logp.setRequiresGradient(true);
        NDArray adv = arr(new float[] {2, -1}, 2);
        NDArray mask = arr(new float[] {1, 1, 1, 0}, 2, 2);
        LossResult r;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            r = new GrpoLoss(GrpoLossConfig.defaults()).compute(LossInputs.of(logp, null, null, adv, mask));
            gc.backward(r.loss());
        }
        assertThat(r.metrics().get("ratio/mean")).isEqualTo(1.0);
        // dapo: -A / N with N = 3
        float[] g = logp.getGradient().toFloatArray();
        assertThat(g[0]).isCloseTo(-2f / 3, within(1e-6f));
        assertThat(g[2]).isCloseTo(1f / 3, within(1e-6f));
        assertThat(g[3]).isEqualTo(0f);
    }

    @Test
    void entropyMetricFromLogits() {
        NDArray logp = arr(new float[] {-1, -1}, 1, 2);
        NDArray logits = m.zeros(new Shape(1, 2, 8));
        LossResult r = new GrpoLoss(GrpoLossConfig.defaults()).compute(
                LossInputs.of(logp, null, null, arr(new float[] {1}, 1), arr(new float[] {1, 1}, 1, 2)).withLogits(logits));
        assertThat(r.metrics().get("entropy")).isCloseTo(Math.log(8), within(1e-6));
    }

    /** Sum of micro-batch losses with the full-batch normalizer == full-batch loss; accumulated grads equal too. */
    @ParameterizedTest
    @ValueSource(strings = {"grpo", "bnpo", "dr_grpo", "dapo"})
    void microBatchAccumulationEqualsFullBatch(String type) {
        double[][] lp = GrpoReferenceTest.matrix("policy_logprobs");
        NDArray old = GrpoReferenceTest.nd(m, GrpoReferenceTest.matrix("old_logprobs"));
        NDArray ref = GrpoReferenceTest.nd(m, GrpoReferenceTest.matrix("ref_logprobs"));
        NDArray mask = GrpoReferenceTest.nd(m, GrpoReferenceTest.matrix("completion_mask"));
        NDArray adv = GrpoReferenceTest.nd(m, GrpoReferenceTest.vector("advantages_scaled"));
        GrpoLoss loss = new GrpoLoss(new GrpoLossConfig(0.2, 0.28, 0.04, "k3", type, "vanilla"));
        LossNormalizer norm = LossNormalizer.of(mask, 10);

        NDArray full = GrpoReferenceTest.nd(m, lp);
        full.setRequiresGradient(true);
        float fullLoss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.compute(LossInputs.of(full, old, ref, adv, mask), norm).loss();
            fullLoss = l.getFloat();
            gc.backward(l);
        }

        NDArray split = GrpoReferenceTest.nd(m, lp);
        split.setRequiresGradient(true);
        double sum = 0;
        int[][] ranges = {{0, 3}, {3, 4}, {4, 8}}; // uneven micro-batches
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            for (int[] r : ranges) {
                NDIndex rows = new NDIndex("{}:{}", r[0], r[1]);
                NDArray l = loss.compute(LossInputs.of(split.get(rows), old.get(rows), ref.get(rows), adv.get(rows),
                        mask.get(rows)), norm).loss();
                sum += l.getFloat();
                gc.backward(l); // gradients accumulate across backward calls (docs/DJL-NOTES.md, hazard 4)
            }
        }
        assertThat(sum).isCloseTo(fullLoss, within(1e-6));
        float[] gf = full.getGradient().toFloatArray();
        float[] gs = split.getGradient().toFloatArray();
        for (int i = 0; i < gf.length; i++) {
            assertThat(gs[i]).isCloseTo(gf[i], within(1e-7f));
        }
    }

    @Test
    void configValidation() {
        assertThatThrownBy(() -> GrpoLossConfig.defaults().withEpsilons(0, 0.2)).isInstanceOf(ZerorlException.class)
                .hasMessageContaining("epsilon_low must be in (0, 1)");
        assertThatThrownBy(() -> GrpoLossConfig.defaults().withEpsilons(0.2, 1.5)).hasMessageContaining("epsilon_high");
        assertThatThrownBy(() -> GrpoLossConfig.defaults().withBeta(-1)).hasMessageContaining("beta");
        assertThatThrownBy(() -> GrpoLossConfig.defaults().withLossType("sum"))
                .hasMessageContaining("Unknown loss type 'sum'; valid: grpo, bnpo, dr_grpo, dapo");
        assertThatThrownBy(() -> GrpoLossConfig.defaults().withKlEstimator("k4"))
                .hasMessageContaining("valid: k1, k2, k3, low_var_kl");
        assertThatThrownBy(() -> LossAggregations.register("dapo", LossAggregations::tokenMean))
                .hasMessageContaining("already registered");
        assertThatThrownBy(() -> new GrpoLoss(GrpoLossConfig.defaults().withBeta(0.1)).compute(LossInputs.of(
                arr(new float[] {0}, 1, 1), null, null, arr(new float[] {1}, 1), arr(new float[] {1}, 1, 1))))
                .hasMessageContaining("reference log-probs");
    }
}
