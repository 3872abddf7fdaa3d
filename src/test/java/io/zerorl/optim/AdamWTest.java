package io.zerorl.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.zerorl.tensor.Scalars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdamWTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    private NDArray param(float[] v, DataType type) {
        NDArray p = m.create(v).duplicate().toType(type, false);
        p.setRequiresGradient(true);
        return p;
    }

    /** Sets the gradient of loss = sum(c * p^2 + d * p) (so g = 2 c p + d) through a real backward pass. */
    private void backward(Map<String, NDArray> params, float c, float d) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (NDArray p : params.values()) {
                NDArray l = p.square().mul(Scalars.like(p, c)).add(p.mul(Scalars.like(p, d))).sum();
                loss = loss == null ? l : loss.add(l);
            }
            gc.backward(loss);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Arithmetic.class)
    void matchesTorchFormulaInDouble(Arithmetic arithmetic) {
        Random rnd = new Random(1);
        float[] w0 = new float[6];
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) rnd.nextGaussian();
        }
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("w", param(w0, DataType.FLOAT32));
        AdamW.Config cfg = new AdamW.Config(0.9, 0.95, 1e-8, 0.1);
        double[] w = toDouble(w0), mm = new double[w0.length], vv = new double[w0.length];
        try (AdamW opt = new AdamW(params, cfg, name -> true, arithmetic)) {
            for (int t = 1; t <= 7; t++) {
                double lr = 1e-2 * t;
                float c = 0.5f * t, d = t % 2 == 0 ? 0.3f : -0.7f;
                double[] g = new double[w.length];
                float[] cur = params.get("w").toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    g[i] = 2 * c * cur[i] + d; // the float32 weights the graph actually sees
                }
                backward(params, c, d);
                opt.step(lr);
                opt.zeroGrad();
                // torch.optim.AdamW, _single_tensor_adamw, in double
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 1 - lr * cfg.weightDecay();
                    mm[i] = cfg.beta1() * mm[i] + (1 - cfg.beta1()) * g[i];
                    vv[i] = cfg.beta2() * vv[i] + (1 - cfg.beta2()) * g[i] * g[i];
                    double bc1 = 1 - Math.pow(cfg.beta1(), t), bc2 = 1 - Math.pow(cfg.beta2(), t);
                    w[i] -= lr / bc1 * mm[i] / (Math.sqrt(vv[i]) / Math.sqrt(bc2) + cfg.eps());
                }
                float[] got = params.get("w").toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    assertThat((double) got[i]).as("step %d w[%d]", t, i).isCloseTo(w[i], within(1e-6 * Math.max(1, Math.abs(w[i]))));
                }
            }
            assertThat(opt.stepCount()).isEqualTo(7);
            assertThat(params.get("w").hasGradient()).isTrue();
        }
    }

    @Test
    void zeroGradientsOnlyDecay() {
        Map<String, NDArray> params = Map.of("w", param(new float[] {1, -2}, DataType.FLOAT32),
                "b", param(new float[] {3}, DataType.FLOAT32));
        backward(params, 0, 0); // all-zero gradients: DJL's Trainer would throw (hazard 7)
        try (AdamW opt = new AdamW(params, new AdamW.Config(0.9, 0.999, 1e-8, 0.5), name -> !name.equals("b"))) {
            opt.step(0.1);
            assertThat(params.get("w").toFloatArray()).containsExactly(0.95f, -1.9f);
            assertThat(params.get("b").toFloatArray()).containsExactly(3f);
        }
    }

    @Test
    void stateExportAndLoadContinuesBitIdentically() {
        float[] w0 = {0.5f, -1.5f, 2f, 0.25f};
        float[] straight = run(w0, 6, -1);
        float[] resumed = run(w0, 6, 3);
        assertThat(resumed).containsExactly(straight);
    }

    /** Runs n steps; at step k (if >= 0) exports state, closes the optimizer and resumes with a new one. */
    private float[] run(float[] w0, int n, int k) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("w", param(w0, DataType.FLOAT32));
        params.put("h", param(w0, DataType.FLOAT16));
        AdamW.Config cfg = AdamW.Config.defaults();
        AdamW opt = new AdamW(params, cfg);
        try (NDManager saved = m.newSubManager()) {
            for (int t = 0; t < n; t++) {
                if (t == k) {
                    Map<String, NDArray> state = opt.state(saved);
                    assertThat(state).containsKeys("step", "w.exp_avg", "w.exp_avg_sq", "h.master").doesNotContainKey("w.master");
                    opt.close();
                    opt = new AdamW(params, cfg);
                    opt.load(state);
                    assertThat(opt.stepCount()).isEqualTo(k);
                }
                backward(params, 1, 0.1f * t);
                opt.step(1e-2);
                opt.zeroGrad();
            }
            opt.close();
        }
        float[] w = params.get("w").toFloatArray();
        float[] h = params.get("h").toFloatArray();
        float[] out = new float[w.length + h.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(h, 0, out, w.length, h.length);
        return out;
    }

    /**
     * fp16 parameters on CPU (PyTorch 2.7 CPU runs fp16 elementwise ops and matmul): the update goes to a float32
     * master copy, so steps far below fp16 resolution still accumulate (a bare fp16 weight of 1.0 cannot move
     * by 1e-4: its spacing is ~1e-3).
     */
    @Test
    void fp16ParametersUseFp32MasterWeights() {
        Map<String, NDArray> params = Map.of("h", param(new float[] {1f, 1f}, DataType.FLOAT16));
        try (AdamW opt = new AdamW(params, new AdamW.Config(0.9, 0.999, 1e-8, 0))) {
            for (int t = 0; t < 10; t++) {
                backward(params, 0, 1); // g = 1: each Adam step moves by ~lr
                opt.step(1e-4);
                opt.zeroGrad();
            }
            NDArray h = params.get("h");
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(h.hasGradient()).isTrue();
            try (NDManager s = m.newSubManager()) {
                double master = opt.state(s).get("h.master").getFloat(0);
                assertThat(master).isCloseTo(1 - 1e-3, within(1e-6));
                // the fp16 param is the master rounded to fp16 (1 - 1e-3 lies between fp16 neighbours 0.99902 and 0.99951)
                assertThat((double) h.toFloatArray()[0]).isCloseTo(master, within(4.9e-4));
                assertThat(h.toFloatArray()[0]).isLessThan(1f);
            }
        }
    }

    /** Steps free their temporaries (parameter manager count stays flat) and state survives a caller's scope. */
    @Test
    void noLeaksAndStateOutlivesCallerScope() {
        Map<String, NDArray> params = Map.of("w", param(new float[] {1, 2}, DataType.FLOAT32),
                "h", param(new float[] {1, 2}, DataType.FLOAT16));
        AdamW opt;
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            opt = new AdamW(params, AdamW.Config.defaults());
        }
        try (opt) {
            backward(params, 1, 0);
            int before = ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
            for (int t = 0; t < 20; t++) {
                opt.step(1e-3);
                Grads.clipGlobalNorm(params.values(), 0.5);
            }
            opt.zeroGrad();
            assertThat(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays()).hasSize(before);
            assertThat(params.get("w").toFloatArray()[0]).isLessThan(1f);
        }
    }

    @Test
    void loadRejectsMismatchedState() {
        Map<String, NDArray> params = Map.of("w", param(new float[] {1, 2}, DataType.FLOAT32));
        try (AdamW opt = new AdamW(params, AdamW.Config.defaults()); NDManager s = m.newSubManager()) {
            Map<String, NDArray> state = new LinkedHashMap<>(opt.state(s));
            state.put("w.exp_avg", s.zeros(new Shape(3)));
            assertThatThrownBy(() -> opt.load(state)).hasMessageContaining("'w.exp_avg' is (3), expected (2)");
        }
        assertThatThrownBy(() -> new AdamW.Config(1.0, 0.9, 1e-8, 0)).hasMessageContaining("betas");
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
