package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.zerorl.TestPaths;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The additive attention mask of a pass: written in one array (torch's {@code where} on the allowed-key mask) with the
 * same values the old {@code (allowed - 1) * big} arithmetic gave, and nothing else left alive. The mask is the
 * largest array a long prefill keeps through every layer (4 MB at batch 64 x 128 tokens); its three intermediates
 * (the boolean mask, its float copy and the shifted copy, 9 MB more) stayed alive until the pass ended.
 */
class MaskBiasTest {
    @Test
    void theMaskHoldsZeroForVisibleKeysAndMinusBigForPaddedOrFutureOnesAndLeavesOneArray() {
        try (Policy policy = Policy.load(TestPaths.fixture("qwen2-tiny"), Device.cpu(), DataType.FLOAT32);
             NDManager m = policy.manager().newSubManager()) {
            long[][] mask = {{0, 1, 1, 1}, {1, 1, 1, 1}}; // row 0 left-padded by one token
            NDArray ids = m.zeros(new Shape(2, 4), DataType.INT64);
            NDArray attention = m.create(mask);
            int before = ((BaseNDManager) m).getManagedArrays().size();
            NDArray bias = policy.maskBias(ids, attention);
            assertThat(((BaseNDManager) m).getManagedArrays().size() - before).as("arrays the mask left").isEqualTo(1);
            assertThat(bias.getShape()).isEqualTo(new Shape(2, 1, 4, 4));
            float[] v = bias.toFloatArray();
            float big = (float) 1e30;
            for (int r = 0; r < 2; r++) {
                for (int q = 0; q < 4; q++) {
                    for (int k = 0; k < 4; k++) {
                        boolean visible = k <= q && mask[r][k] == 1;
                        float expected = visible ? 0f : -big;
                        assertThat(v[(r * 4 + q) * 4 + k]).as("row %d query %d key %d", r, q, k).isEqualTo(expected);
                        // the old arithmetic, bit for bit (+0.0 where visible)
                        assertThat(Float.floatToIntBits(v[(r * 4 + q) * 4 + k]))
                                .isEqualTo(Float.floatToIntBits(((visible ? 1f : 0f) - 1f) * big));
                    }
                }
            }
            // one decoding query: the padding part only, (B, 1, 1, S); a boolean key mask is not closed by it
            NDArray keys = attention.toType(DataType.BOOLEAN, false);
            NDArray padding = policy.paddingBias(keys);
            assertThat(padding.getShape()).isEqualTo(new Shape(2, 1, 1, 4));
            assertThat(padding.toFloatArray()).containsExactly(-big, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
            assertThat(keys.toBooleanArray()).containsExactly(false, true, true, true, true, true, true, true);
        }
    }

    @Test
    void whereBroadcastsAndLeavesItsResultWithTheCondition() {
        try (NDManager owner = NDManager.newBaseManager(Device.cpu());
             NDManager constants = NDManager.newBaseManager(Device.cpu())) {
            NDArray zero = constants.create(0f);
            NDArray minus = constants.create(-5f);
            NDArray out;
            try (NDManager m = owner.newSubManager()) {
                NDArray cond = m.create(new boolean[] {true, false, true}).reshape(1, 3);
                out = Ops.where(cond, zero, minus.broadcast(2, 1));
                assertThat(out.getShape()).isEqualTo(new Shape(2, 3));
                assertThat(out.toFloatArray()).containsExactly(0f, -5f, 0f, 0f, -5f, 0f);
                assertThat(out.getManager()).isSameAs(m);
            }
            assertThat(out.isReleased()).as("closed with the condition's manager").isTrue();
            assertThat(zero.isReleased()).isFalse();
            assertThat(((BaseNDManager) constants).getManagedArrays()).hasSize(3); // zero, minus, its broadcast view
        }
    }
}
