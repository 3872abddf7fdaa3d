package io.zerorl.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GradientBufferTest {
    /** loss_k = sum(tanh(a * x_k) * b) over a micro-batch x_k; c is never used. */
    private static NDArray loss(NDArray a, NDArray b, NDArray x) {
        return a.mul(x).tanh().mul(b).sum();
    }

    @Test
    void heldGradientsEqualAccumulatedBackwardBitForBitAndUnusedOnesAreZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x1 = m.randomNormal(new Shape(5, 3)).duplicate();
            NDArray x2 = m.randomNormal(new Shape(5, 3)).duplicate();
            float[][] viaBackward = new float[2][];
            float[][] viaBuffer = new float[2][];
            for (int mode = 0; mode < 2; mode++) {
                NDArray a = m.create(new float[] {0.3f, -1.2f, 2.5f}).duplicate();
                NDArray b = m.create(new float[] {0.7f, 0.7f, -0.4f}).duplicate();
                NDArray c = m.create(new float[] {1f, 2f}).duplicate();
                Map<String, NDArray> params = new LinkedHashMap<>();
                params.put("a", a);
                params.put("b", b);
                params.put("c", c);
                params.values().forEach(p -> p.setRequiresGradient(true));
                try (GradientBuffer buffer = new GradientBuffer(params)) {
                    for (NDArray x : new NDArray[] {x1, x2}) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            if (mode == 0) {
                                gc.backward(loss(a, b, x));
                            } else {
                                buffer.accumulate(loss(a, b, x));
                            }
                        }
                    }
                    if (mode == 0) {
                        viaBackward[0] = a.getGradient().toFloatArray();
                        viaBackward[1] = b.getGradient().toFloatArray();
                    } else {
                        assertThat(buffer.gradients()).containsOnlyKeys("a", "b", "c");
                        assertThat(buffer.gradients().get("c").toFloatArray()).containsExactly(0f, 0f);
                        viaBuffer[0] = buffer.gradients().get("a").toFloatArray();
                        viaBuffer[1] = buffer.gradients().get("b").toFloatArray();
                        NDArray held = buffer.gradients().get("a");
                        buffer.clear();
                        assertThat(buffer.isEmpty()).isTrue();
                        assertThat(held.isReleased()).as("freed after the step").isTrue();
                    }
                }
            }
            // the same weights and inputs in both modes, so the same gradients, bit for bit
            assertThat(viaBuffer[0]).containsExactly(viaBackward[0]);
            assertThat(viaBuffer[1]).containsExactly(viaBackward[1]);
        }
    }
}
