package io.zerorl.tensor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TensorHelpersTest {
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
        return m.create(v, new Shape(shape)).duplicate(); // torch-owned copy (docs/DJL-NOTES.md, hazard 2)
    }

    @Test
    void maskedSumAndMean() {
        NDArray x = arr(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray mask = m.create(new int[] {1, 1, 0, 0, 0, 0}, new Shape(2, 3));
        assertThat(Masked.sum(x, mask).getFloat()).isEqualTo(3f);
        assertThat(Masked.mean(x, mask).getFloat()).isEqualTo(1.5f);
        assertThat(Masked.sum(x, mask, 1).toFloatArray()).containsExactly(3f, 0f);
        // an empty row gives 0, not NaN (count clamped to 1 as TRL)
        assertThat(Masked.mean(x, mask, 1).toFloatArray()).containsExactly(1.5f, 0f);
        assertThat(Masked.mean(x, mask.zerosLike()).getFloat()).isEqualTo(0f);
    }

    @Test
    void maskedMeanGradientIsMaskOverCount() {
        NDArray x = arr(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray mask = arr(new float[] {1, 1, 0, 1, 0, 0}, 2, 3);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(Masked.mean(x, mask, 1).sum());
        }
        assertThat(x.getGradient().toFloatArray()).containsExactly(0.5f, 0.5f, 0f, 1f, 0f, 0f);
    }

    @Test
    void gatheredLogProbsMatchDoubleLogSoftmaxAndGradient() {
        int b = 2, t = 3, v = 5;
        float[] logits = new float[b * t * v];
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) rnd.nextGaussian() * 3;
        }
        long[] ids = {4, 0, 2, 1, 3, 3};
        NDArray x = arr(logits, b, t, v);
        x.setRequiresGradient(true);
        NDArray lp;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            lp = LogProbs.gather(x, m.create(ids, new Shape(b, t)));
            gc.backward(lp.sum());
        }
        float[] got = lp.toFloatArray();
        float[] grad = x.getGradient().toFloatArray();
        for (int p = 0; p < b * t; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                max = Math.max(max, logits[p * v + k]);
            }
            double z = 0;
            for (int k = 0; k < v; k++) {
                z += Math.exp(logits[p * v + k] - max);
            }
            double lse = max + Math.log(z);
            assertThat((double) got[p]).isCloseTo(logits[p * v + (int) ids[p]] - lse, within(1e-5));
            // d log softmax_y / d logit_k = 1[k = y] - softmax_k
            for (int k = 0; k < v; k++) {
                double expected = (k == ids[p] ? 1 : 0) - Math.exp(logits[p * v + k] - lse);
                assertThat((double) grad[p * v + k]).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void entropyOfUniformAndOneHot() {
        NDArray logits = arr(new float[] {0, 0, 0, 0, 100, 0, 0, 0}, 1, 2, 4);
        float[] h = LogProbs.entropy(logits).toFloatArray();
        assertThat((double) h[0]).isCloseTo(Math.log(4), within(1e-6));
        assertThat((double) h[1]).isCloseTo(0, within(1e-6));
    }

    @Test
    void entropyGradientMatchesFiniteDifferences() {
        double[] z = {0.3, -1.2, 2.0, 0.5};
        NDArray x = arr(new float[] {0.3f, -1.2f, 2.0f, 0.5f}, 1, 1, 4);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(LogProbs.entropy(x).sum());
        }
        float[] grad = x.getGradient().toFloatArray();
        for (int k = 0; k < 4; k++) {
            double h = 1e-5;
            double[] up = z.clone();
            double[] dn = z.clone();
            up[k] += h;
            dn[k] -= h;
            assertThat((double) grad[k]).isCloseTo((entropy(up) - entropy(dn)) / (2 * h), within(1e-5));
        }
    }

    private static double entropy(double[] z) {
        double s = 0;
        for (double v : z) {
            s += Math.exp(v);
        }
        double h = 0;
        for (double v : z) {
            double p = Math.exp(v) / s;
            h -= p * Math.log(p);
        }
        return h;
    }

    @Test
    void groupMeanStdUnbiased() {
        NDArray r = arr(new float[] {1, 0, 0.5f, 0, 1, 1, 1, 1}, 8);
        assertThat(GroupStats.mean(r, 4).toFloatArray()).containsExactly(0.375f, 1f);
        float[] std = GroupStats.std(r, 4).toFloatArray();
        assertThat((double) std[0]).isCloseTo(Math.sqrt((0.390625 + 0.140625 + 0.015625 + 0.140625) / 3), within(1e-6));
        assertThat(std[1]).isEqualTo(0f);
        assertThat(GroupStats.expand(GroupStats.mean(r, 4), 4).toFloatArray())
                .containsExactly(0.375f, 0.375f, 0.375f, 0.375f, 1f, 1f, 1f, 1f);
        assertThatThrownBy(() -> GroupStats.mean(r, 3)).hasMessageContaining("multiple");
    }

    @Test
    void scalarsAreTorchOwnedAndTyped() {
        NDArray h = arr(new float[] {1, 2}, 2).toType(ai.djl.ndarray.types.DataType.FLOAT16, false);
        NDArray c = Scalars.like(h, 0.5);
        assertThat(c.getShape()).isEqualTo(new Shape());
        assertThat(c.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT16);
        assertThat(Scalars.of(m, 3).getFloat()).isEqualTo(3f);
    }

    @Test
    void constantMultiplicationGradientIsStableAcrossGc() {
        // the hazard-2 pattern (x.mul(3f)) gave wrong gradients after GC; a Scalars constant must not
        for (int trial = 0; trial < 50; trial++) {
            try (NDManager s = m.newSubManager()) {
                NDArray x = s.create(new float[] {1, 2, 3}).duplicate();
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = x.mul(Scalars.of(s, 3)).sum();
                    System.gc();
                    gc.backward(y);
                }
                assertThat(x.getGradient().toFloatArray()).containsExactly(3f, 3f, 3f);
            }
        }
    }
}
