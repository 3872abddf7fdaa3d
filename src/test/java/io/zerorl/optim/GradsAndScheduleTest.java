package io.zerorl.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.zerorl.tensor.Scalars;
import io.zerorl.util.ZerorlException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GradsAndScheduleTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Params whose gradients are the given values (loss = sum(g * p)). */
    private List<NDArray> withGrads(DataType type, float[]... grads) {
        List<NDArray> ps = new java.util.ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (float[] g : grads) {
                NDArray p = m.zeros(new ai.djl.ndarray.types.Shape(g.length), type);
                p.setRequiresGradient(true);
                ps.add(p);
                NDArray l = p.mul(m.create(g).duplicate().toType(type, false)).sum();
                loss = loss == null ? l : loss.add(l);
            }
            gc.backward(loss);
        }
        return ps;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Arithmetic.class)
    void clipGlobalNormScalesToMaxAndReturnsPreClipNorm(Arithmetic arithmetic) {
        List<NDArray> ps = withGrads(DataType.FLOAT32, new float[] {3, 0}, new float[] {0, -4, 0});
        assertThat(Grads.clipGlobalNorm(ps, 1.0, arithmetic)).isCloseTo(5.0, within(1e-6));
        assertThat(Grads.globalNorm(ps, arithmetic)).isCloseTo(1.0, within(1e-5));
        assertThat(ps.get(0).getGradient().toFloatArray()[0]).isCloseTo(0.6f, within(1e-5f));
        assertThat(ps.get(1).getGradient().toFloatArray()[1]).isCloseTo(-0.8f, within(1e-5f));
        // under the limit: untouched
        assertThat(Grads.clipGlobalNorm(ps, 10.0)).isCloseTo(1.0, within(1e-5));
        assertThat(ps.get(0).getGradient().toFloatArray()[0]).isCloseTo(0.6f, within(1e-5f));
    }

    @Test
    void zeroAndNonFiniteGradients() {
        List<NDArray> zero = withGrads(DataType.FLOAT32, new float[] {0, 0});
        assertThat(Grads.clipGlobalNorm(zero, 1.0)).isEqualTo(0.0);
        assertThat(zero.get(0).getGradient().toFloatArray()).containsExactly(0f, 0f);

        List<NDArray> bad = withGrads(DataType.FLOAT32, new float[] {1, Float.POSITIVE_INFINITY});
        assertThat(Grads.allFinite(bad)).isFalse();
        assertThat(Grads.clipGlobalNorm(bad, 1.0)).isInfinite();
        Grads.zero(bad); // assignment, not multiplication: inf * 0 would leave NaN
        assertThat(bad.get(0).getGradient().toFloatArray()).containsExactly(0f, 0f);
        assertThat(Grads.allFinite(bad)).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Arithmetic.class)
    void fp16GradientNormAccumulatesInFloat32(Arithmetic arithmetic) {
        // 300^2 * 2 = 180000 overflows fp16 (max 65504) if squared in fp16
        List<NDArray> ps = withGrads(DataType.FLOAT16, new float[] {300, 300});
        assertThat(Grads.globalNorm(ps, arithmetic)).isCloseTo(Math.sqrt(180000), within(1e-3));
    }

    @Test
    void lossScalerTransitions() {
        DynamicLossScaler s = new DynamicLossScaler(1024, 2, 0.5, 3);
        s.update(true);
        s.update(true);
        assertThat(s.scale()).isEqualTo(1024);
        s.update(true);
        assertThat(s.scale()).isEqualTo(2048); // grows after 3 finite steps
        s.update(true);
        s.update(false);
        assertThat(s.scale()).isEqualTo(1024); // backoff resets the counter
        s.update(true);
        s.update(true);
        assertThat(s.state()).isEqualTo(new DynamicLossScaler.State(1024, 2));
        DynamicLossScaler resumed = new DynamicLossScaler(65536, 2, 0.5, 3); // same settings, fresh start
        resumed.load(s.state());
        resumed.update(true);
        assertThat(resumed.scale()).isEqualTo(2048); // the restored counter reaches the interval
        assertThatThrownBy(() -> new DynamicLossScaler(1, 1, 0.5, 1)).isInstanceOf(ZerorlException.class);
    }

    @Test
    void lossScalerUnscalesAndDetectsOverflowInFp16() {
        DynamicLossScaler s = new DynamicLossScaler(1024, 2, 0.5, 100);
        NDArray p = m.create(new float[] {1, 2}).duplicate().toType(DataType.FLOAT16, false);
        p.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(s.scaleLoss(p.square().sum())); // grads 2p * 1024
        }
        assertThat(s.unscale(List.of(p))).isTrue();
        assertThat(p.getGradient().toFloatArray()).containsExactly(2f, 4f);
        Grads.zero(List.of(p));

        NDArray q = m.create(new float[] {100, 1}).duplicate().toType(DataType.FLOAT16, false);
        q.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(s.scaleLoss(q.square().sum().mul(Scalars.like(q, 1)))); // 200 * 1024 overflows fp16
        }
        boolean finite = s.unscale(List.of(q));
        assertThat(finite).isFalse();
        s.update(finite);
        assertThat(s.scale()).isEqualTo(512);
    }

    @ParameterizedTest
    @CsvSource({
        // decay, step, expected lr  (peak 1.0, warmup 10, total 110, min ratio 0.1)
        "constant, 0, 0.0", "constant, 5, 0.5", "constant, 10, 1.0", "constant, 500, 1.0",
        "cosine, 0, 0.0", "cosine, 5, 0.5", "cosine, 10, 1.0",
        "cosine, 60, 0.55",   // half way: 0.1 + 0.9 * 0.5
        "cosine, 110, 0.1", "cosine, 1000, 0.1",
        "cosine, 35, 0.8681980515339464", // 0.1 + 0.9 * 0.5 * (1 + cos(pi/4))
    })
    void scheduleValues(String decay, long step, double expected) {
        assertThat(new LrSchedule(1.0, 10, 110, decay, 0.1).lr(step)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void scheduleValidation() {
        assertThatThrownBy(() -> new LrSchedule(1, 0, 10, "linear", 0)).hasMessageContaining("valid: constant, cosine");
        assertThatThrownBy(() -> new LrSchedule(1, 0, 10, "cosine", 2)).hasMessageContaining("min_lr_ratio");
        assertThat(new LrSchedule(2, 0, 10, "constant", 0).lr(0)).isEqualTo(2);
    }
}
