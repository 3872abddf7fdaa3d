package io.zerorl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import io.zerorl.TestPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pass without autograd whose attention scores would pass {@link Attention#SCORE_BLOCK_BYTES} attends in blocks of
 * query positions; the logits are the one-block logits (with left padding, so the mask's blocks matter). Each row's
 * scores, softmax and weighted sum depend on that row alone, so they agree up to float rounding: MKL's matrix products
 * may round an element differently when they see fewer rows (identical bits with blocks of 29 rows here, a few units
 * in the last place with 22).
 */
class AttentionBlocksTest {
    @ParameterizedTest
    // 256 x 45: blocks of 22 positions, the last one a single position (which comes back in the decoding layout)
    @CsvSource({"qwen2-tiny, 128, 70", "deepseekv3-tiny, 128, 70", "qwen2-tiny, 256, 45", "deepseekv3-tiny, 256, 45"})
    void blockedAttentionGivesTheSameLogitsBitForBit(String fixture, int rows, int len) {
        try (Policy policy = Policy.load(TestPaths.fixture(fixture), Device.cpu(), DataType.FLOAT32);
             NDManager m = policy.manager().newSubManager()) {
            long scoreBytes = (long) rows * policy.config().numHeads * len * len * 4;
            assertThat(scoreBytes).as("the shape needs blocks").isGreaterThan(Attention.SCORE_BLOCK_BYTES);
            SplittableRandom rng = new SplittableRandom(5);
            long[][] ids = new long[rows][len];
            long[][] mask = new long[rows][len];
            for (int r = 0; r < rows; r++) {
                int pad = rng.nextInt(len / 2);
                for (int t = 0; t < len; t++) {
                    ids[r][t] = rng.nextInt(policy.config().vocabSize);
                    mask[r][t] = t < pad ? 0 : 1;
                }
            }
            float[] blocked;
            float[] whole;
            boolean before = JniUtils.isGradMode();
            try {
                JniUtils.setGradMode(false);
                blocked = policy.forward(m.create(ids), m.create(mask), m.create(Policy.positionIds(mask))).toFloatArray();
                JniUtils.setGradMode(true); // recording (no parameter needs a gradient): one block
                whole = policy.forward(m.create(ids), m.create(mask), m.create(Policy.positionIds(mask))).toFloatArray();
            } finally {
                JniUtils.setGradMode(before);
            }
            assertThat(blocked).hasSize(whole.length);
            for (int i = 0; i < whole.length; i++) {
                if (Math.abs(blocked[i] - whole[i]) > 1e-6f * Math.max(1f, Math.abs(whole[i]))) {
                    throw new AssertionError("logit " + i + " differs: " + blocked[i] + " vs " + whole[i]);
                }
            }
        }
    }
}
